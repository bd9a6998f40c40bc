"""Fills a Sessionboard SQLite database with other accounts' sessions, for
benchmarks that read one account's sessions among many rows.

    python3 scripts/seed-rows.py DB_FILE ROWS [USERS]

Columns are read from the schema, so the seed follows migrations: each
NOT NULL column gets a value of its type (unique ones a unique value)."""
import random, sqlite3, sys, time

db, rows = sys.argv[1], int(sys.argv[2])
users = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
con = sqlite3.connect(db)
now = int(time.time() * 1000)
KNOWN = {"device_type": "Desktop", "auth_method": "password", "end_reason": "expired",
         "platform": "Linux", "browser_name": "Firefox", "browser_version": "125",
         "login_ip": "198.51.100.1", "last_ip": "198.51.100.1"}


def columns(table):
    return [(r[1], r[2].upper(), r[3], r[4]) for r in con.execute(f"PRAGMA table_info({table})")]


def uniques(table):
    out = set()
    for idx in con.execute(f"PRAGMA index_list({table})"):
        if idx[2]:
            out.update(r[2] for r in con.execute(f"PRAGMA index_info({idx[1]})"))
    return out


def row_maker(table, fixed):
    cols = [c for c in columns(table) if c[0] != "id"]
    unique = uniques(table)

    def make(i):
        out = []
        for name, kind, notnull, default in cols:
            if name in fixed:
                out.append(fixed[name](i))
            elif name in unique:
                out.append(f"{table}-{name}-{i}")
            elif name in KNOWN:
                out.append(KNOWN[name])
            elif not notnull or default is not None:
                out.append(None if not notnull else default)
            elif "INT" in kind or "BOOL" in kind:
                out.append(0)
            else:
                out.append("")
        return out
    names = ", ".join(c[0] for c in cols)
    marks = ", ".join("?" for _ in cols)
    return make, f"INSERT INTO {table} ({names}) VALUES ({marks})"


first_user = (con.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]) + 1
make, sql = row_maker("users", {"username": lambda i: f"seed{i}", "created_at": lambda i: now})
con.executemany(sql, (make(i) for i in range(users)))
make, sql = row_maker("sessions", {
    "user_id": lambda i: first_user + i % users,
    "created_at": lambda i: now - 3_600_000 - i,
    "last_seen_at": lambda i: now - 3_600_000 - i,
    "ended_at": lambda i: now - 1_800_000 - i if i % 10 else None,
})
con.executemany(sql, (make(i) for i in range(rows)))
con.commit()
print(f"    {rows} sessions of {users} other accounts added; sessions now has "
      f"{con.execute('SELECT COUNT(*) FROM sessions').fetchone()[0]} rows")
