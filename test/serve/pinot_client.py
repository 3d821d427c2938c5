# A real Pinot client against `salesstream serve`: pinotdb's DB-API runs the original demo's
# sample queries (apache_pinot_examples/README.md), and its SQLAlchemy dialect (the one Superset
# uses) lists the tables and reflects their columns. Prints one JSON object.
# Usage: python pinot_client.py HOST PORT
import json
import sys

from pinotdb import connect
from sqlalchemy import create_engine, func, inspect, select, table

host, port = sys.argv[1], int(sys.argv[2])

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
    "purchasesEnriched": """
SET useStarTree = 'true';

SELECT
  product_id,
  product_name,
  product_category,
  SUMPRECISION(purchase_quantity, 10, 2) AS quantity,
  SUMPRECISION(total_purchase, 10, 2) AS sales
FROM
  purchasesEnriched
GROUP BY
  product_id,
  product_name,
  product_category
ORDER BY
  sales DESC;""",
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
