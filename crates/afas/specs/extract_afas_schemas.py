#!/usr/bin/env python3
"""Extracts the UpdateConnector body schemas Koppel uses from the official AFAS Profit OpenAPI specs.

The full specifications (6.6.9, AFASSoftware/OASContent) are ~5 MB; the sandbox and the client tests need only the
`components.schemas.<Connector>_<METHOD>` objects below, which are self-contained (no $ref). Run from this folder:
    python3 extract_afas_schemas.py ../../../../shared/reference/specs > afas-update-connectors.json
"""
import glob
import json
import sys

CONNECTORS = ["FbSales", "FbDirectInvoice", "FbSalesQuotation", "KnSalesRelationOrg", "KnSalesRelationPer",
              "FbItemArticle", "FbStockMutation", "FbSalesPrice", "FiEntries"]

def main(spec_dir):
    out = {}
    for path in sorted(glob.glob(f"{spec_dir}/afas-profit-*.openapi.json")):
        spec = json.load(open(path, encoding="utf-8"))
        for name, schema in spec["components"]["schemas"].items():
            connector, _, method = name.rpartition("_")
            if connector in CONNECTORS and method in ("POST", "PUT"):
                assert "$ref" not in json.dumps(schema), f"{name} has a $ref"
                out[name] = schema
    json.dump({"source": "AFAS Profit OpenAPI 6.6.9 (AFASSoftware/OASContent), components.schemas",
               "schemas": dict(sorted(out.items()))}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")

if __name__ == "__main__":
    main(sys.argv[1])
