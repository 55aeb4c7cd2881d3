-- AP: POST /api/v1/requests/{id}/actions {"action":"approve","step":1} as the county
-- account (BENCH_COUNTY_TOKEN), each prepared request approved once. bench/run.sh
-- writes the ids of BENCH_AP_M open one-step requests, one a line, to BENCH_AP_IDS.
-- Thread t of wrk's BENCH_WRK_THREADS takes the lines base + t, base + t + threads,
-- base + t + 2 * threads, ...; done() moves base past the furthest line any thread
-- took and keeps it in the file BENCH_AP_STATE, so the measured run after the
-- warm-up starts on requests nobody has touched.
-- Only a 200 counts as an approval: done() prints "script: ok answers N other K" for
-- bench/run.sh, and the first other answer. A thread that runs out of prepared
-- requests repeats its last id (its answers are then 409s, reported, and the run
-- is not a clean figure).
local token = os.getenv("BENCH_COUNTY_TOKEN")
local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "2") -- wrk -t
local body = '{"action":"approve","step":1,"comment":"bench"}'

local state_path = os.getenv("BENCH_AP_STATE")
local start = nil -- this run's first line (the main state's; each thread gets it as `base`)
local nids = 0
local nstarted = 0
local threads = {}

function setup(thread)
    if start == nil then
        local f = io.open(state_path, "r")
        start = f and tonumber(f:read("*l")) or 0
        if f then f:close() end
        for _ in io.lines(os.getenv("BENCH_AP_IDS")) do
            nids = nids + 1
        end
    end
    thread:set("tid", nstarted)
    thread:set("base", start)
    nstarted = nstarted + 1
    table.insert(threads, thread)
end

function init(args)
    ids = {}
    for line in io.lines(os.getenv("BENCH_AP_IDS")) do
        ids[#ids + 1] = line
    end
    -- request k of this thread: line base + k * nthreads + tid (0-based)
    k, ok, other, short, first_other = 0, 0, 0, 0, nil
end

function request()
    local n = base + k * nthreads + tid
    k = k + 1
    if n >= #ids then
        short = short + 1
        n = #ids - 1
    end
    return wrk.format("POST", "/api/v1/requests/" .. ids[n + 1] .. "/actions",
                      {["Content-Type"] = "application/json",
                       ["Authorization"] = "Bearer " .. token}, body)
end

function response(status, headers, resp)
    if status == 200 then
        ok = ok + 1
    else
        other = other + 1
        if first_other == nil then
            first_other = status .. " " .. string.sub(resp or "", 1, 300)
        end
    end
end

function done(summary, latency, requests)
    local nok, nother, most, nshort, first = 0, 0, 0, 0, nil
    for _, t in ipairs(threads) do
        nok = nok + t:get("ok")
        nother = nother + t:get("other")
        nshort = nshort + t:get("short")
        most = math.max(most, t:get("k"))
        first = first or t:get("first_other")
    end
    -- every line up to the furthest any thread took is spent (wrk also calls
    -- request() once to check the script, without sending it)
    local f = assert(io.open(state_path, "w"))
    f:write(tostring(start + most * nthreads), "\n")
    f:close()
    io.write(string.format("script: ok answers %d other %d\n", nok, nother))
    io.write(string.format("script: prepared requests %d, used up to line %d%s\n", nids,
                           math.min(start + most * nthreads, nids),
                           nshort > 0 and string.format(" (RAN OUT: %d repeats)", nshort) or ""))
    if first then
        io.write("script: first other answer: ", first, "\n")
    end
end
