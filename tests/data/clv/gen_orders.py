#!/usr/bin/env python3
"""Generates sim_orders.csv, the CLI fixture of the clv tests: 400 customers
simulated from BG/NBD (r 0.5, alpha 8, a 0.7, b 2.5, in weeks) with
Gamma-Gamma spend (p 5, q 4, gamma 20); first purchases in the first 12
weeks of 2023, purchases until 2024-06-30 (calibration ends 2023-09-30 in
the tests). Deterministic: python3 gen_orders.py > sim_orders.csv"""
import datetime
import random

rng = random.Random(20240101)
start = datetime.date(2023, 1, 1)
end = datetime.date(2024, 6, 30)
rows = []
for i in range(400):
    cid = "C%03d" % (i + 1)
    lam = rng.gammavariate(0.5, 1 / 8.0)  # purchases per week
    p = rng.betavariate(0.7, 2.5)
    nu = rng.gammavariate(4, 1 / 20.0)
    first = start + datetime.timedelta(days=rng.randrange(84))
    day = first
    t = 0.0
    n = 0
    while True:
        rows.append((cid, day, round(rng.gammavariate(5, 1 / nu), 2)))
        if n > 0 and rng.random() < p:
            break
        t += rng.expovariate(lam) if lam > 0 else 1e9
        day = first + datetime.timedelta(days=int(t * 7))
        if day > end:
            break
        n += 1
print("customer_id,date,amount")
for cid, day, amt in rows:
    print("%s,%s,%.2f" % (cid, day.isoformat(), amt))
