-- The soak's traffic (bench/soak.sh): of every 20 requests, 14 read one student
-- (GET /api/v1/students/{id}, random ids in [BENCH_ID_MIN, BENCH_ID_MAX], as the
-- province account BENCH_PROVINCE_TOKEN), 2 list a school's first page of 50
-- (BENCH_LIST_SCHOOL), 1 reads GET /api/v1/me, and 3 register a new student as the
-- school's registrar (BENCH_REGISTRAR_TOKEN) into classes 13-91..98, each with a new
-- valid ID number (as bench/register.lua; each wrk thread, at most 7, its own county).
-- done() prints "soak: answers N 2xx A 4xx B 5xx C", and the first 5xx.
local province = "Bearer " .. os.getenv("BENCH_PROVINCE_TOKEN")
local registrar = "Bearer " .. os.getenv("BENCH_REGISTRAR_TOKEN")
local lo = tonumber(os.getenv("BENCH_ID_MIN"))
local hi = tonumber(os.getenv("BENCH_ID_MAX"))
local school = os.getenv("BENCH_LIST_SCHOOL")
local threads = {}
local nstarted = 0

function setup(thread)
    thread:set("tid", nstarted)
    nstarted = nstarted + 1
    table.insert(threads, thread)
end

function init(args)
    math.randomseed(os.time() * 1000 + tid)
    i, k = 0, 0
    n2, n4, n5, first5 = 0, 0, 0, nil
end

local weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local checks = "10X98765432"
local counties = {"410103", "410104", "410106", "410108", "410181", "410182", "410183"}
local surnames = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"}
local given = {"子涵", "浩宇", "欣怡", "梓轩", "雨萱", "一诺", "俊杰", "思彤", "博文", "佳怡"}

-- registration k of thread tid: county by thread, born 2017-09-01 + (k % 365) days,
-- sequence k / 365 (unique for 365,000 registrations a thread)
local function registration()
    local n = k
    k = k + 1
    local county = counties[tid % #counties + 1]
    local t = os.time({year = 2017, month = 9, day = 1, hour = 12}) + (n % 365) * 86400
    local d = os.date("*t", t)
    local seq = math.floor(n / 365) % 1000
    local first17 = string.format("%s%04d%02d%02d%03d", county, d.year, d.month, d.day, seq)
    local sum = 0
    for p = 1, 17 do
        sum = sum + (first17:byte(p) - 48) * weights[p]
    end
    local id = first17 .. checks:sub(sum % 11 + 1, sum % 11 + 1)
    local name = surnames[math.floor(n / 365) % #surnames + 1] .. given[(n + tid) % #given + 1]
    local body = string.format(
        '{"name":"%s","gender":"%s","birth_date":"%04d-%02d-%02d","ethnicity":"01",' ..
        '"nationality":"CHN","id_type":"1","id_number":"%s","hukou_region":"%s000000",' ..
        '"hukou_type":"1","grade":"13","class":%d,"enrolled_month":"202409",' ..
        '"entry_mode":"1","study_mode":"1","source":"1","distance_km":1.5,"transport":"1",' ..
        '"school_bus":"0","family":[{"name":"%s父","relation":"1","phone":"139%08d",' ..
        '"guardian":"1"},{"name":"%s母","relation":"2","phone":"138%08d"}]}',
        name, (seq % 2 == 1) and "1" or "2", d.year, d.month, d.day, id, county, 91 + n % 8,
        name, (tid * 1000000 + n) % 100000000, name, (tid * 1000000 + n) % 100000000)
    return wrk.format("POST", "/api/v1/students",
                      {["Content-Type"] = "application/json", ["Authorization"] = registrar}, body)
end

function request()
    local r = i % 20
    i = i + 1
    if r < 14 then
        return wrk.format("GET", "/api/v1/students/" .. math.random(lo, hi),
                          {["Authorization"] = province})
    elseif r < 16 then
        return wrk.format("GET", "/api/v1/students?school=" .. school .. "&limit=50",
                          {["Authorization"] = province})
    elseif r < 17 then
        return wrk.format("GET", "/api/v1/me", {["Authorization"] = province})
    end
    return registration()
end

function response(status, headers, body)
    if status >= 500 then
        n5 = n5 + 1
        if first5 == nil then
            first5 = status .. " " .. string.sub(body or "", 1, 300)
        end
    elseif status >= 400 then
        n4 = n4 + 1
    else
        n2 = n2 + 1
    end
end

function done(summary, latency, requests)
    local a, b, c, first = 0, 0, 0, nil
    for _, t in ipairs(threads) do
        a = a + t:get("n2")
        b = b + t:get("n4")
        c = c + t:get("n5")
        first = first or t:get("first5")
    end
    io.write(string.format("soak: answers %d 2xx %d 4xx %d 5xx %d\n", a + b + c, a, b, c))
    if first then
        io.write("soak: first 5xx: ", first, "\n")
    end
end
