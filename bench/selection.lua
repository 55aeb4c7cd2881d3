-- bench/selection.lua: the add/drop peak of course selection (bench/selection.sh).
-- Each request is a random student (a token minted by `xuejictl tokens`) that adds a
-- random section (POST /api/v1/me/selections) or, one time in DROP_EVERY, a student
-- drops a section this thread saw them get (DELETE /api/v1/me/selections/{section}). Every state change answered (201 added,
-- 200 "dropped") is written as "student section op" to this thread's own file, so that
-- bench/selection.sh can check afterwards that each is in uni_selection.
-- Environment: SEL_TOKENS (file of "STUDENT_ID TOKEN" lines), SEL_SECTIONS ("first last"
-- section ids), SEL_OPS (path prefix of the per-thread files), SEL_DROP_EVERY (default 4).

local tokens, by_student = {}, {}
for line in io.lines(os.getenv("SEL_TOKENS")) do
    local student, tok = line:match("^(%d+) (%S+)$")
    if tok then
        tokens[#tokens + 1] = "Bearer " .. tok
        by_student[student] = "Bearer " .. tok
    end
end
local held = {} -- {student, section} this thread saw added (possibly dropped since)
local first, last = os.getenv("SEL_SECTIONS"):match("^(%d+) (%d+)$")
first, last = tonumber(first), tonumber(last)
local drop_every = tonumber(os.getenv("SEL_DROP_EVERY") or "4")

local counter = 0
local threads = {}

function setup(thread)
    counter = counter + 1
    thread:set("id", counter)
    table.insert(threads, thread)
end

local ops

function init(args)
    math.randomseed(os.time() * 1000 + id)
    ops = io.open(os.getenv("SEL_OPS") .. "." .. id, "w")
    ops:setvbuf("line")
end

local post_headers = {["Content-Type"] = "application/json"}
local del_headers = {}

function request()
    if #held > 0 and math.random(drop_every) == 1 then
        local k = math.random(#held)
        local h = held[k]
        held[k] = held[#held]
        held[#held] = nil
        del_headers["Authorization"] = by_student[h[1]]
        return wrk.format("DELETE", "/api/v1/me/selections/" .. h[2], del_headers, nil)
    end
    local auth = tokens[math.random(#tokens)]
    local section = math.random(first, last)
    post_headers["Authorization"] = auth
    return wrk.format("POST", "/api/v1/me/selections", post_headers,
        '{"section":' .. section .. '}')
end

function response(status, headers, body)
    if status == 201 or status == 200 then
        local student = body:match('"student":(%d+)')
        local section = body:match('"section":(%d+)')
        local state = body:match('"state":"(%a+)"')
        if status == 201 and student then
            ops:write(student, " ", section, " add\n")
            if #held < 100000 then held[#held + 1] = {student, section} end
        elseif state == "dropped" and student then
            ops:write(student, " ", section, " drop\n")
        end
    end
end

function done(summary, latency, requests)
    local n = 0
    for _, t in ipairs(threads) do n = n + 1 end
    io.write(string.format("selection: %d threads; statuses are in the server's access log\n", n))
end
