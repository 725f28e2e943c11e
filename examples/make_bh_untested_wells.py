"""Write `bh_untested_wells.csv`: the Buchwald-Hartwig component combinations absent from the shipped set.

Ahneman et al.'s plates cross 15 aryl halides, 4 ligands, 3 bases and 23 additives (4140 wells); 3955
reactions are in the public data. The others are new combinations of known molecules: what
`rxnyield predict` is for. Each reaction SMILES is assembled from the role-wise SMILES of the shipped
reactions (aryl halide . amine . Pd precatalyst . ligand . base . additive >> product).

Run from the repository root: `python examples/make_bh_untested_wells.py`.
"""

from itertools import product
from pathlib import Path

import pandas as pd

SOURCE = Path("src/data/buchwald_hartwig/bh_reactions.csv")
TARGET = Path("examples/bh_untested_wells.csv")
ROLES = ("aryl_halide", "ligand", "base", "additive")
POSITION = {"aryl_halide": 0, "ligand": 3, "base": 4, "additive": 5}  # in the reactant list of rxn_smiles


def main() -> None:
    table = pd.read_csv(SOURCE)
    reactants = table["rxn_smiles"].str.split(">>").str[0].str.split(".")
    shared = reactants.iloc[0]  # the amine and the Pd precatalyst are the same in every reaction
    rows = {role: table.assign(smiles=reactants.str[POSITION[role]]).drop_duplicates(f"{role}_name")
            .set_index(f"{role}_name") for role in ROLES}
    products = table.assign(product=table["rxn_smiles"].str.split(">>").str[1]).drop_duplicates(
        "aryl_halide_name").set_index("aryl_halide_name")["product"]
    measured = set(table[[f"{role}_name" for role in ROLES]].itertuples(index=False, name=None))
    wells = []
    for names in product(*(rows[role].index for role in ROLES)):
        if names in measured:
            continue
        parts = {role: rows[role].loc[name] for role, name in zip(ROLES, names)}
        smiles = [parts["aryl_halide"]["smiles"], shared[1], shared[2], parts["ligand"]["smiles"],
                  parts["base"]["smiles"], parts["additive"]["smiles"]]
        wells.append({**{f"{role}_name": name for role, name in zip(ROLES, names)},
                      **{f"{role}_smiles": parts[role][f"{role}_smiles"] for role in ROLES},
                      "rxn_smiles": ".".join(smiles) + ">>" + products[names[0]]})
    if TARGET.exists():
        raise SystemExit(f"{TARGET} exists: not overwritten")
    pd.DataFrame(wells).to_csv(TARGET, index=False)
    print(f"{len(wells)} untested combinations written to {TARGET}")


if __name__ == "__main__":
    main()
