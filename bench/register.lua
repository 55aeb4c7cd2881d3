-- R: POST /api/v1/students, one registration per request, as the registrar of
-- 建设路第一小学 (BENCH_REGISTRAR_TOKEN) into grade 13 (三年级): BENCH_R_CLASSES
-- classes numbered from BENCH_R_CLASS_FIRST on (bench/run.sh makes them without a
-- size limit). Every request carries a new valid resident ID number (GB 11643
-- check digit) whose address code is a county the demo generator never uses, so
-- no registration meets a duplicate: request k of a run (k = i * threads + t)
-- is born on day k % 365 from 2017-09-01 with sequence k / 365 (parity = gender).
-- Runs (warm-up, measured, later passes) take turns through the counties
-- by a counter in the file BENCH_R_STATE.
local token = os.getenv("BENCH_REGISTRAR_TOKEN")
local nclasses = tonumber(os.getenv("BENCH_R_CLASSES") or "8")
local first_class = tonumber(os.getenv("BENCH_R_CLASS_FIRST") or "91")
local counties = {"410103", "410104", "410106", "410108", "410181", "410182", "410183",
                  "410184", "410185", "410303", "410304", "410307", "410308", "410311"}

-- setup() runs in wrk's main Lua state; thread:set() makes the globals `tid`
-- and `run` of each thread's own state, which request() reads.
local nstarted = 0
local this_run = nil
function setup(thread)
    if this_run == nil then
        -- once per wrk process: take the next run number
        local path = os.getenv("BENCH_R_STATE")
        local f = io.open(path, "r")
        this_run = f and tonumber(f:read("*l")) or 0
        if f then f:close() end
        f = assert(io.open(path, "w"))
        f:write(tostring(this_run + 1), "\n")
        f:close()
    end
    thread:set("tid", nstarted)
    thread:set("run", this_run)
    nstarted = nstarted + 1
end

local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "2") -- wrk -t
local i = 0

local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"
local surnames = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"}
local given = {"子涵", "浩宇", "欣怡", "梓轩", "雨萱", "一诺", "俊杰", "思彤", "博文", "佳怡"}
local days_in = {30, 31, 30, 31, 31, 28, 31, 30, 31, 30, 31, 31} -- Sep 2017 .. Aug 2018
local months = {9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8}

local function birth(day)
    local m = 1
    while day >= days_in[m] do
        day = day - days_in[m]
        m = m + 1
    end
    local y = months[m] >= 9 and 2017 or 2018
    return y, months[m], day + 1
end

function request()
    local k = i * nthreads + tid
    i = i + 1
    local per = 365 * 1000
    local county = counties[((run * 2 + math.floor(k / per)) % #counties) + 1]
    local r = k % per
    local y, m, d = birth(r % 365)
    local seq = math.floor(r / 365)
    local first17 = string.format("%s%04d%02d%02d%03d", county, y, m, d, seq)
    local sum = 0
    for p = 1, 17 do
        sum = sum + (first17:byte(p) - 48) * weights[p]
    end
    local id = first17 .. checks:sub(sum % 11 + 1, sum % 11 + 1)
    local gender = (seq % 2 == 1) and "1" or "2"
    local name = surnames[k % #surnames + 1] .. given[math.floor(k / 12) % #given + 1]
    local body = string.format(
        '{"name":"%s","gender":"%s","birth_date":"%04d-%02d-%02d","ethnicity":"01",' ..
        '"nationality":"CHN","id_type":"1","id_number":"%s","hukou_region":"%s000000",' ..
        '"hukou_type":"1","grade":"13","class":%d,"enrolled_month":"202409",' ..
        '"entry_mode":"1","study_mode":"1","source":"1","distance_km":1.5,"transport":"1",' ..
        '"school_bus":"0","family":[{"name":"%s父","relation":"1","phone":"139%08d",' ..
        '"guardian":"1"},{"name":"%s母","relation":"2","phone":"138%08d"}]}',
        name, gender, y, m, d, id, county, first_class + k % nclasses, name, k % 100000000,
        name, k % 100000000)
    return wrk.format("POST", "/api/v1/students",
                      {["Content-Type"] = "application/json",
                       ["Authorization"] = "Bearer " .. token}, body)
end
