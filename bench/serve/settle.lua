-- wrk script: POST a new completed settlement on every request (unique setl_id, feedetl_sn and
-- trace code per thread and request) to /v1/settlements: review, ledger sale, store, audit, each
-- durable before the answer. Non-2xx answers are counted and reported.
local counter = 0
local tid = 0
function setup(thread)
    tid = tid + 1
    thread:set("tid", tid)
end
function init(args)
    counter = 0
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("FG_KEY")
function request()
    counter = counter + 1
    local id = tid * 10000000 + counter
    local body = string.format('{"setlinfo":{"setl_id":"W%d","mdtrt_id":"MW%d","psn_no":"P%d","fixmedins_code":"H43010200012","setl_time":"2025-07-02 10:00:00","medfee_sumamt":"12.50"},"feedetail":[{"feedetl_sn":"FW%d","mdtrt_id":"MW%d","psn_no":"P%d","fee_ocur_time":"2025-07-02 10:00:00","med_list_codg":"XJ01CAA040E001010100955","det_item_fee_sumamt":"12.50","cnt":"1","pric":"12.50","drug_trac_info":[{"drug_trac_codg":"8%019d"}]}]}', id, id, id, id, id, id, 9100000000000000000 + id)
    return wrk.format(nil, nil, nil, body)
end
function done(summary, latency, requests)
    io.write(string.format("non200 %d\n", summary.errors.status))
end
