#!/usr/bin/env python3
"""Derive councils.csv and lad_to_council.csv from the ONS source files in source/.

A council here is the authority responsible for adult social care: a unitary, metropolitan
district, London borough or Welsh principal area, or, in two-tier areas, the county council.
The ONS postcode directory (Nov 2025) already uses the district codes created after 2021,
so the 2021 lookups are brought up to date with the reorganisations listed below.

Run from this folder: python3 derive_councils.py
"""
import csv

# New authority code -> (name, the 2021 district codes it replaced)
REORGANISATIONS = {
    "E06000063": ("Cumberland", ["E07000026", "E07000028", "E07000029"]),
    "E06000064": ("Westmorland and Furness", ["E07000027", "E07000030", "E07000031"]),
    "E06000065": ("North Yorkshire", ["E07000163", "E07000164", "E07000165", "E07000166",
                                      "E07000167", "E07000168", "E07000169"]),
    "E06000066": ("Somerset", ["E07000187", "E07000188", "E07000189", "E07000246"]),
    # Boundary changes in 2024 gave Barnsley and Sheffield new codes.
    "E08000038": ("Barnsley", ["E08000016"]),
    "E08000039": ("Sheffield", ["E08000019"]),
}
ABOLISHED_COUNTIES = {"E10000006", "E10000023", "E10000027"}  # Cumbria, North Yorkshire, Somerset


def kind_of(code):
    return {"E06": "unitary", "E08": "metropolitan", "E09": "london_borough",
            "E10": "county", "W06": "welsh_principal"}[code[:3]]


population = {r["lad21cd"]: r for r in csv.DictReader(open("source/ons_census2021_lad_population_ew.csv"))}
upper_tier = {r["LTLA21CD"]: r for r in csv.DictReader(open("source/ons_ltla_to_utla_apr2021_ew.csv"))}

councils = {}  # code -> {name, region, population}
lad_to_council = {}  # district code -> (district name, council code)
replaced = {old: new for new, (_, olds) in REORGANISATIONS.items() for old in olds}

for lad, row in population.items():
    if lad in replaced:
        continue
    utla = upper_tier[lad]["UTLA21CD"]
    if utla in ABOLISHED_COUNTIES:
        raise SystemExit(f"{lad} maps to abolished county {utla} but is not listed as replaced")
    council = councils.setdefault(utla, {"name": upper_tier[lad]["UTLA21NM"], "region": row["region"],
                                         "population": 0})
    council["population"] += int(row["pop_census2021"])
    lad_to_council[lad] = (row["lad21nm"], utla)

for new, (name, olds) in REORGANISATIONS.items():
    councils[new] = {"name": name, "region": population[olds[0]]["region"],
                     "population": sum(int(population[o]["pop_census2021"]) for o in olds)}
    lad_to_council[new] = (name, new)

with open("councils.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "name", "kind", "region", "population_2021"])
    for code in sorted(councils):
        c = councils[code]
        w.writerow([code, c["name"], kind_of(code), c["region"], c["population"]])

with open("lad_to_council.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["lad_code", "lad_name", "council_code"])
    for lad in sorted(lad_to_council):
        w.writerow([lad, *lad_to_council[lad]])

print(f"{len(councils)} councils, {len(lad_to_council)} districts")
