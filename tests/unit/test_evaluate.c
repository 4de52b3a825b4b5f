/*
 * test_evaluate.c — the metrics of the offline evaluation
 * (src/measure/evaluate.c) against values computed by hand.
 */
#include "measure/evaluate.h"
#include "test.h"

static void test_metrics_hand(void)
{
    /* list 5 3 9 1, relevant {1, 3, 7}, k = 4: hits at ranks 2 and 4 */
    const uint32_t ranked[] = {5, 3, 9, 1}, rel[] = {1, 3, 7};
    xs__measure_eval_one m;
    xs__measure_eval_metrics(ranked, 4, rel, 3, 4, &m);
    CHECK_NEAR(m.precision, 0.5, 1e-15);
    CHECK_NEAR(m.recall, 2.0 / 3.0, 1e-15);
    /* DCG = 1/log2(3) + 1/log2(5) = 0.630930 + 0.430677 = 1.061606;
     * IDCG over min(4, 3) = 3: 1 + 0.630930 + 0.5 = 2.130930 */
    CHECK_NEAR(m.ndcg, 1.0616063116448506 / 2.1309297535714578, 1e-12);
    /* AP = (1/2 + 2/4) / min(4, 3) */
    CHECK_NEAR(m.ap, 1.0 / 3.0, 1e-15);
    CHECK_INT(m.hit, 1);
}

static void test_metrics_edges(void)
{
    const uint32_t ranked[] = {2, 4}, rel[] = {2}, none[] = {8};
    xs__measure_eval_one m;
    /* perfect first hit, short list: precision counts k = 3 slots */
    xs__measure_eval_metrics(ranked, 2, rel, 1, 3, &m);
    CHECK_NEAR(m.precision, 1.0 / 3.0, 1e-15);
    CHECK_NEAR(m.recall, 1.0, 1e-15);
    CHECK_NEAR(m.ndcg, 1.0, 1e-15);
    CHECK_NEAR(m.ap, 1.0, 1e-15);
    CHECK_INT(m.hit, 1);
    /* no hit */
    xs__measure_eval_metrics(ranked, 2, none, 1, 2, &m);
    CHECK_NEAR(m.precision, 0, 0);
    CHECK_NEAR(m.ndcg, 0, 0);
    CHECK_NEAR(m.ap, 0, 0);
    CHECK_INT(m.hit, 0);
    /* a hit beyond k does not count */
    const uint32_t late[] = {4, 2};
    xs__measure_eval_metrics(late, 2, rel, 1, 1, &m);
    CHECK_INT(m.hit, 0);
    CHECK_NEAR(m.recall, 0, 0);
}

static const xs_test tests[] = {
    {"metrics_hand", test_metrics_hand},
    {"metrics_edges", test_metrics_edges},
};

int main(void)
{
    return xs_test_run(tests, XS_N(tests));
}
