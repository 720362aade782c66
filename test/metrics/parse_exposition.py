"""Parses a Prometheus text exposition (stdin) with the official Python
client's parser (python3-prometheus-client), an implementation cix did not
write, and prints what it understood as JSON: families with their type and
samples. Exits non-zero (with the parser's message) when it refuses the text."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    try:
        families = []
        for fam in text_string_to_metric_families(text):
            families.append({
                "name": fam.name,
                "type": fam.type,
                "help": fam.documentation,
                "samples": [
                    # repr keeps every digit the parser read (floats beyond 2^53 too)
                    {"name": s.name, "labels": s.labels, "value": repr(s.value)}
                    for s in fam.samples
                ],
            })
    except Exception as err:  # the parser raises ValueError and friends
        print(f"parse error: {err}", file=sys.stderr)
        return 1
    json.dump(families, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
