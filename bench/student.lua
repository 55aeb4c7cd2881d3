-- S: GET /api/v1/students/{id} for random ids in [BENCH_ID_MIN, BENCH_ID_MAX]
-- (the students `xuejictl demo --students N` loaded), as the province account
-- (BENCH_PROVINCE_TOKEN): one masked record, its school and jurisdiction check.
-- bench/run.sh sets the variables.
local lo = tonumber(os.getenv("BENCH_ID_MIN"))
local hi = tonumber(os.getenv("BENCH_ID_MAX"))
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_PROVINCE_TOKEN")

local n = 0
function setup(thread)
    n = n + 1
    thread:set("tid", n)
end

function init(args)
    -- each thread its own sequence of ids
    math.randomseed(os.time() * 1000 + (tid or 0))
end

function request()
    return wrk.format("GET", "/api/v1/students/" .. math.random(lo, hi))
end
