"""Write encounters.csv: a small synthetic encounter export for the C and Rust
tests of hutano-ffi (no real patient: identifiers, dates and codes are drawn
from a seeded generator). Run: python3 make_fixture.py > encounters.csv

Two departments (MED, SURG) of one hospital, 2024-01-01 to 2024-04-30,
2-7 admissions a day with a weekly pattern, stays of 0-9 nights, then a few
deliberately bad rows, each rejected by the loader for a different reason.
"""
import random
import sys
from datetime import datetime, timedelta

rng = random.Random(20240101)
out = sys.stdout
out.write("visit,patient,admitted,discharged,department,sex,outcome,age\n")
start = datetime(2024, 1, 1)
visit = 0
busy_until = {}  # patient -> discharge time of the last stay (no overlaps)
for day in range(121):
    weekday = (start + timedelta(days=day)).weekday()
    n = rng.randint(2, 5) + (2 if weekday < 5 else 0)
    for _ in range(n):
        admit = start + timedelta(days=day, hours=rng.randint(0, 23), minutes=rng.choice([0, 15, 30, 45]))
        patient = f"P{rng.randint(1, 400):04d}"
        if busy_until.get(patient, datetime.min) > admit:
            patient = f"Q{visit:05d}"  # a new patient rather than an overlapping stay
        nights = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 9])
        discharge = admit.replace(hour=rng.randint(8, 18), minute=0) + timedelta(days=nights)
        if discharge < admit:
            discharge = admit + timedelta(hours=2)
        still_in = day >= 115 and rng.random() < 0.5
        busy_until[patient] = datetime.max if still_in else discharge
        visit += 1
        dept = rng.choice(["MED", "MED", "SURG"])
        sex = rng.choice(["M", "F"])
        outcome = "" if still_in else rng.choice(["A"] * 30 + ["D"])
        age = rng.randint(1, 95)
        dis = "" if still_in else discharge.strftime("%Y-%m-%d %H:%M")
        out.write(f"V{visit:05d},{patient},{admit:%Y-%m-%d %H:%M},{dis},{dept},{sex},{outcome},{age}\n")
# Rows the loader rejects (their reasons are checked by the tests).
bad = [
    "B00001,R0001,2024-02-10 10:00,2024-02-09 10:00,MED,F,A,40",  # discharge before admission
    "B00002,R0002,2024-02-31 10:00,2024-03-02 10:00,MED,M,A,50",  # unparseable date
    "B00003,R0003,2024-02-12 10:00,2024-02-14 10:00,ICU,M,A,60",  # unknown department
    "B00004,R0004,2024-02-13 10:00,2024-02-15 10:00,SURG,X,A,70",  # sex code not in the mapping
    "B00005,,2024-02-14 10:00,2024-02-16 10:00,SURG,F,A,30",  # missing patient
    "V00001,R0005,2024-02-15 10:00,2024-02-16 10:00,MED,F,A,20",  # duplicate visit id
]
for row in bad:
    out.write(row + "\n")
