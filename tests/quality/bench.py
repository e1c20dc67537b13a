"""Precision, recall and F1 of the duplicate search on the labelled pairs of ``pairs.py``.

The pairs are created as customers in the given database inside a transaction that is rolled
back at the end, then the real search (``customer.duplicate._candidate_pairs``, the one behind
"Find duplicates") runs over all customers. A pair found between two customers of different
labelled pairs is a false positive too. Beside it, in the same run:

- ``pg_trgm only``: today's name key (``normalise_name``) and ``similarity() >= threshold``;
- ``search before issue 17``: that similarity with the exact email/phone/VAT keys and the
  weighted score, as the search scored pairs before the Chinese keys;
- ``recordlinkage``: the record-linkage library on the same pairs (Jaro-Winkler on the name key,
  exact email/phone/VAT/USCC, unsupervised ECM classifier).

Command line: ``tests/quality/run`` (it prepares the environment, then calls ``main``).
"""

import argparse
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pairs as benchmark_pairs

ROOT = Path(__file__).resolve().parents[2]
PERSON_KINDS = {"zh_person_traditional", "zh_same_person_name", "latin_email", "latin_same_person_name"}
CJK_THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def load_partners(env, pairs):
    """Create both customers of every pair; returns [(pair, a_id, b_id)]."""
    china = env.ref("base.cn")
    vals_list = []
    for pair in pairs:
        for side in ("a", "b"):
            values = dict(pair[side])
            country = values.pop("country", None)
            values["is_company"] = pair["kind"] not in PERSON_KINDS
            if country == "CN":
                values["country_id"] = china.id
            vals_list.append(values)
    partners = (
        env["res.partner"]
        .with_context(tracking_disable=True, mail_create_nolog=True, no_vat_validation=True)
        .create(vals_list)
    )
    env.flush_all()  # the search timed below starts from written customers
    # Fresh statistics, as autovacuum keeps them in production: planned on the empty table's,
    # the set-based name join runs nested loops over CTEs (seconds instead of milliseconds).
    env.cr.execute("ANALYZE res_partner")
    ids = partners.ids
    return [(pair, ids[2 * index], ids[2 * index + 1]) for index, pair in enumerate(pairs)]


def metrics(loaded, predicted):
    """Per language: tp, fp, fn, precision, recall, f1. ``predicted`` is a set of (low, high) ids."""
    lang_of = {}
    labelled = {}
    for pair, a_id, b_id in loaded:
        lang_of[a_id] = lang_of[b_id] = pair["lang"]
        labelled[(min(a_id, b_id), max(a_id, b_id))] = pair
    result = {}
    for lang in ("zh", "latin"):
        tp = fp = fn = 0
        for key, pair in labelled.items():
            if pair["lang"] != lang:
                continue
            if pair["duplicate"]:
                tp += key in predicted
                fn += key not in predicted
            else:
                fp += key in predicted
        # Pairs across two labelled pairs: different companies.
        fp += sum(
            1
            for key in predicted
            if key not in labelled and lang_of.get(key[0]) == lang and key[1] in lang_of
        )
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[lang] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    return result


def misses(loaded, predicted):
    """The labelled pairs the search got wrong, for reading."""
    wrong = []
    for pair, a_id, b_id in loaded:
        found = (min(a_id, b_id), max(a_id, b_id)) in predicted
        if found != pair["duplicate"]:
            wrong.append(
                f"{pair['kind']}: {pair['a']['name']} / {pair['b']['name']} ({'found' if found else 'missed'})"
            )
    return wrong


def search_pairs(env, params, ids):
    started = time.perf_counter()
    found = env["customer.duplicate"]._candidate_pairs(params)
    seconds = time.perf_counter() - started
    return {(a_id, b_id) for a_id, b_id, _score, _reasons in found if a_id in ids and b_id in ids}, seconds


def old_pairs(env, params, loaded):
    """(pg_trgm only, search before issue 17) predictions on the labelled pairs."""
    from odoo.tools import SQL

    from odoo.addons.customer_360.engine import quality

    partners = env["res.partner"].browse([pid for _pair, a_id, b_id in loaded for pid in (a_id, b_id)])
    data = {
        partner.id: (
            quality.normalise_name(partner.name),
            partner.email_normalized or None,
            quality.phone_digits(partner.phone) or quality.phone_digits(partner.mobile) or None,
            quality.normalise_vat(partner.vat) or None,
        )
        for partner in partners
    }
    left = [data[a_id][0] for _pair, a_id, _b_id in loaded]
    right = [data[b_id][0] for _pair, _a_id, b_id in loaded]
    env.cr.execute(SQL("SELECT similarity(l, r) FROM unnest(%s::text[], %s::text[]) AS v(l, r)", left, right))
    similarities = [row[0] for row in env.cr.fetchall()]
    threshold = max(params["name_similarity"], params["threshold"] / 100.0) - 1e-6
    trigram, before = set(), set()
    for (_pair, a_id, b_id), similarity in zip(loaded, similarities, strict=True):
        key = (min(a_id, b_id), max(a_id, b_id))
        if similarity >= threshold:
            trigram.add(key)

        def same(index, a_id=a_id, b_id=b_id):
            a_value, b_value = data[a_id][index], data[b_id][index]
            return None if a_value is None or b_value is None else a_value == b_value

        score = quality.duplicate_score(
            similarity, email=same(1), phone=same(2), vat=same(3), weights=params["weights"]
        )
        if score >= params["threshold"]:
            before.add(key)
    return trigram, before


def recordlinkage_pairs(env, loaded):
    """recordlinkage on the labelled pairs (its candidate links), ECM classifier."""
    import pandas
    import recordlinkage

    from odoo.addons.customer_360.engine import quality

    ids = [pid for _pair, a_id, b_id in loaded for pid in (a_id, b_id)]
    partners = env["res.partner"].browse(ids)
    frame = pandas.DataFrame(
        [
            {
                "id": partner.id,
                "name": quality.normalise_name(partner.name),
                "email": partner.email_normalized or None,
                "phone": quality.phone_digits(partner.phone) or quality.phone_digits(partner.mobile) or None,
                "vat": quality.normalise_vat(partner.vat) or None,
                "uscc": quality.normalise_uscc(partner.company_registry) or None,
            }
            for partner in partners
        ]
    ).set_index("id")
    links = pandas.MultiIndex.from_tuples([(a_id, b_id) for _pair, a_id, b_id in loaded])
    compare = recordlinkage.Compare()
    compare.string("name", "name", method="jarowinkler", threshold=0.85, label="name")
    for column in ("email", "phone", "vat", "uscc"):
        compare.exact(column, column, label=column, missing_value=0)
    features = compare.compute(links, frame)
    classifier = recordlinkage.ECMClassifier(binarize=0.5)
    matches = classifier.fit_predict(features)
    return {(min(a_id, b_id), max(a_id, b_id)) for a_id, b_id in matches}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", default=str(ROOT / "tests/quality/results/latest.json"))
    args = parser.parse_args(argv)

    import odoo
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    pairs = benchmark_pairs.generate(args.seed)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US"})
        params = env["res.config.settings"]._customer_quality_params()
        loaded = load_partners(env, pairs)
        ids = {pid for _pair, a_id, b_id in loaded for pid in (a_id, b_id)}
        predicted, seconds = search_pairs(env, params, ids)
        sweep = {}
        for cjk in CJK_THRESHOLDS:
            swept, _seconds = search_pairs(env, {**params, "cjk_name_similarity": cjk}, ids)
            sweep[str(cjk)] = metrics(loaded, swept)["zh"]
        trigram, before = old_pairs(env, params, loaded)
        try:
            linked = recordlinkage_pairs(env, loaded)
            linkage = metrics(loaded, linked)
        except ImportError as error:
            linkage = {"error": f"{error} (pip install -r tests/quality/requirements.txt)"}
        wrong = misses(loaded, predicted)
        cr.rollback()
    machine = {
        "cpus": subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip(),
        "cpu": next(
            (
                line.split(":", 1)[1].strip()
                for line in subprocess.run(
                    ["lscpu"], capture_output=True, text=True, check=False
                ).stdout.splitlines()
                if line.startswith("Model name")
            ),
            "",
        ),
        "python": platform.python_version(),
    }
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "pairs": {
            "total": len(pairs),
            "zh": sum(pair["lang"] == "zh" for pair in pairs),
            "latin": sum(pair["lang"] == "latin" for pair in pairs),
            "duplicates": sum(pair["duplicate"] for pair in pairs),
        },
        "params": {
            key: params[key] for key in ("threshold", "name_similarity", "cjk_name_similarity", "weights")
        },
        "machine": machine,
        "search_seconds": round(seconds, 3),
        "methods": {
            "duplicate search": metrics(loaded, predicted),
            "pg_trgm only (before)": metrics(loaded, trigram),
            "search before issue 17": metrics(loaded, before),
            "recordlinkage (ECM)": linkage,
        },
        "cjk_threshold_sweep": sweep,
        "errors": wrong,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} labelled pairs ({result['pairs']['zh']} Chinese, {result['pairs']['latin']} Latin)")
    print(f"{'method':28} {'lang':6} {'precision':>9} {'recall':>7} {'F1':>6}")
    for method, by_lang in result["methods"].items():
        if "error" in by_lang:
            print(f"{method:28} {by_lang['error']}")
            continue
        for lang, row in by_lang.items():
            print(f"{method:28} {lang:6} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f}")
    print(
        "Chinese name threshold sweep (F1): "
        + ", ".join(f"{key}: {row['f1']:.3f}" for key, row in sweep.items())
    )
    for line in wrong:
        print("  wrong: " + line)
    print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
