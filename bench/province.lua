-- A GET as the province account (BENCH_PROVINCE_TOKEN, set by bench/run.sh):
-- the student list rows (first page and a deep cursor).
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_PROVINCE_TOKEN")
