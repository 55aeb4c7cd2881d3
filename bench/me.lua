-- GET /api/v1/me with a bearer token: the cost of token verification and the
-- account check on top of one read. bench/run.sh logs in and sets BENCH_TOKEN.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
