-- wrk script: POST one check request (FG_BODY, a file) with an API key (FG_KEY) to
-- /v1/settlements/check. Non-200 answers are counted and reported.
local f = assert(io.open(os.getenv("FG_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("FG_KEY")

local bad = 0
function response(status, headers, body)
    if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
    io.write(string.format("non200 %d\n", summary.errors.status))
end
