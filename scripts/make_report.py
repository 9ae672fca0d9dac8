#!/usr/bin/env python3
"""Writes results/REPORT.md from the simulations' result files: one section per simulation (titled with its
directory name), a table of claims with the theory value (exact and leading order), the simulation with its
95% interval, the relative error and the verdict, and the figures. Standard library only."""
import argparse
import json
import math
import os
import sys

GROUPS = {
    "theory": ["theory_tables", "fig1a_optimal_step", "fig1b_warm_cold", "fig2ab_alignment", "fig2c_multi_step",
               "eta_sweep", "convergence"],
    "softmax": ["fig3a_tabular_context", "fig3b_pretrained_vs_scratch"],
    "ctkv": ["ct_kv_table"],
    "deep_thinking": ["deep_thinking"],
    "memory": ["memory_retrieval"],
}


def fmt(v, digits=5):
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "–"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        if v == 0:
            return "0"
        a = abs(v)
        if a >= 1e5 or a < 1e-3:
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}g}"
    return str(v)


def section(results_dir, name):
    d = os.path.join(results_dir, name)
    path = os.path.join(d, f"{name}.json")
    if not os.path.exists(path):
        return None, 0, 0
    with open(path) as f:
        r = json.load(f)
    claims = r.get("claims", [])
    passed = sum(1 for c in claims if c.get("pass"))
    out = [f"## {name}", ""]
    readme = os.path.join("simulations", name, "README.md")
    if os.path.exists(readme):
        with open(readme) as f:
            first = [ln.strip() for ln in f.read().split("\n\n")[1:2]]
        if first and first[0]:
            out += [first[0], ""]
    params = r.get("parameters")
    if params:
        out += ["Parameters (" + r.get("mode", "?") + " mode): " +
                ", ".join(f"{k} = {json.dumps(v)}" for k, v in params.items()), ""]
    out += [f"**{passed} of {len(claims)} claims supported.**", ""]
    out += ["| claim | theory (exact) | theory (leading) | simulation | 95% interval | rel. error (exact) | "
            "rel. error (leading vs sim.) | rule | verdict |",
            "|---|---|---|---|---|---|---|---|---|"]
    for c in claims:
        ci = (f"[{fmt(c.get('ci_low'))}, {fmt(c.get('ci_high'))}]"
              if c.get("ci_low") is not None or c.get("ci_high") is not None else "–")
        se = c.get("stderr")
        sim = fmt(c.get("simulation")) + (f" ± {fmt(se, 2)} (se)" if se is not None else "")
        note = f" ({c['note'].strip()})" if c.get("note") else ""
        out.append(f"| {c['statement']}{note} | {fmt(c.get('theory_exact'))} | {fmt(c.get('theory_leading'))} | {sim} | "
                   f"{ci} | {fmt(c.get('rel_error_exact'), 3)} | {fmt(c.get('rel_error_leading'), 3)} | {c.get('rule', '')} | "
                   f"{'✅ supported' if c.get('pass') else '❌ not supported'} |")
    out.append("")
    for fig in sorted(os.listdir(d)):
        if fig.endswith(".png"):
            out += [f"![{name}]({name}/{fig})", ""]
    return "\n".join(out), passed, len(claims)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--results", default="results")
    a = p.parse_args()
    body, summary = [], []
    for group, names in GROUPS.items():
        for name in names:
            text, passed, total = section(a.results, name)
            if text is None:
                continue
            body.append(text)
            summary.append(f"| {group} | [{name}](#{name}) | {passed} / {total} |")
    if not body:
        sys.exit("make_report: no simulation results under " + a.results)
    head = ["# ttt: reproduction report", "",
            "Each section is one simulation program (simulations/<name>/); every claim compares a closed form of the "
            "theory with a simulation. Verdicts: Monte Carlo values within 5 standard errors of the exact form, or a "
            "95% interval (t, delta method or block bootstrap, as stated) covering the exact value. Leading-order "
            "forms are reported beside the exact ones with their relative error; they are not expected to match at "
            "finite d. Provenance (command line, git revision, seeds, threads, timing) is in each directory's "
            "manifest.json.", "",
            "| group | simulation | claims supported |", "|---|---|---|"] + summary + [""]
    text = "\n".join(head + body) + "\n"
    out = os.path.join(a.results, "REPORT.md")
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, out)
    print(f"make_report: wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
