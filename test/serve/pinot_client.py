# A real Pinot client against `salesstream serve`: pinotdb's DB-API runs the original demo's
# sample queries (apache_pinot_examples/README.md, pinot_sample_script.py), and its SQLAlchemy
# dialect (the one Superset uses) lists the tables and reflects their columns. Prints one JSON object.
# Usage: python pinot_client.py HOST PORT
import json
import os
import re
import sys

from pinotdb import connect
from sqlalchemy import create_engine, func, inspect, select, table

host, port = sys.argv[1], int(sys.argv[2])

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "pinot_sample_script.py")
with open(FIXTURE, encoding="utf-8") as f:
    SAMPLE_SQL = re.search(r'sql = """(.*?)"""', f.read(), re.S).group(1)

QUERIES = {
    "products": """
SELECT
  COUNT(product_id) AS product_count,
  AVG(price) AS avg_price,
  AVG(cogs) AS avg_cogs,
  AVG(price) - AVG(cogs) AS avg_gross_profit
FROM
  products;""",
    "purchases": """
SELECT
  product_id,
  SUMPRECISION(quantity, 10, 2) AS quantity,
  SUMPRECISION(total_purchase, 10, 2) AS sales,
  AVG(total_purchase) AS avg_sale
FROM
  purchases
GROUP BY
  product_id
ORDER BY
  sales DESC;""",
    # the original script's own query (test/fixtures/pinot_sample_script.py), with the README's SET before it
    "purchasesEnriched": "SET useStarTree = 'true';\n" + SAMPLE_SQL,
}

conn = connect(host=host, port=port, path="/query/sql", scheme="http")
out = {}
for name, sql in QUERIES.items():
    curs = conn.cursor()
    curs.execute(sql)
    out[name] = {"columns": [d[0] for d in curs.description], "rows": [list(r) for r in curs]}

engine = create_engine(f"pinot://{host}:{port}/query/sql?controller=http://{host}:{port}/")
inspector = inspect(engine)
out["tables"] = sorted(inspector.get_table_names())
out["columns"] = {t: [c["name"] for c in inspector.get_columns(t)] for t in out["tables"]}
with engine.connect() as c:
    out["count"] = c.execute(select(func.count()).select_from(table("purchases"))).scalar()

print(json.dumps(out))
