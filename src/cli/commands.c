/*
 * commands.c — the table of subcommands: adding one is one line here.
 */
#include "cli/cli.h"

const xs_command xs_commands[] = {
    {"demo", "generate a demo company, import it and summarise it", xs_cmd_demo},
    {"gen", "write a deterministic demo company as CSV files", xs_cmd_gen},
    {"import", "validate and import a CSV / JSON Lines file into the store", xs_cmd_import},
    {"export", "write a table of the store as CSV / JSON Lines", xs_cmd_export},
    {"itemsets", "mine frequent itemsets", xs_cmd_itemsets},
    {"rules", "mine association rules", xs_cmd_rules},
    {"adoption", "adoption timing curves P(B within t | A)", xs_cmd_adoption},
    {"together", "frequently bought together", xs_cmd_together},
    {"recommend", "next best upsell, cross-sell or downsell per customer", xs_cmd_recommend},
    {"targets", "accounts ranked by expected value for the CSM team", xs_cmd_targets},
    {"plan", "assign offers to all customers under CSM and channel capacity", xs_cmd_plan},
    {"catalog", "check product ladders, add-ons and what can be offered", xs_cmd_catalog},
    {"build", "store the fitted offer model the decisions use", xs_cmd_build},
    {"outcome", "record the outcome of a logged offer", xs_cmd_outcome},
    {"replay", "what another policy would have earned on the logged decisions", xs_cmd_replay},
    {"serve", "HTTP JSON API and the web dashboard", xs_cmd_serve},
    {"apikey", "create, list and revoke API keys", xs_cmd_apikey},
    {"webhook", "send offers, outcomes and builds to other tools as signed webhooks", xs_cmd_webhook},
    {"store", "create or migrate a store, distribute it on Citus, show what it holds", xs_cmd_store},
    {"customers", "health, segment, churn risk and lifetime value per customer", xs_cmd_customers},
    {"kpi", "revenue, retention and offer KPIs per period and segment", xs_cmd_kpi},
    {"clv", "fit customer lifetime value models (BG/NBD, Gamma-Gamma)", xs_cmd_clv},
    {"retention", "fit the shifted-beta-geometric retention model", xs_cmd_retention},
    {"churn", "train, evaluate and apply churn-risk models", xs_cmd_churn},
    {"uplift", "train, evaluate and apply uplift models (the difference an offer makes)", xs_cmd_uplift},
    {"experiment", "assign holdouts and analyse experiments", xs_cmd_experiment},
    {"rank", "products each customer is most likely to buy next", xs_cmd_rank},
    {"evaluate", "offline evaluation of the ranking against baselines", xs_cmd_evaluate},
};
const size_t xs_n_commands = sizeof xs_commands / sizeof xs_commands[0];
