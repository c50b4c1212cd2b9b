-- wrk script: authenticated POST /v1/orders (each request creates one
-- pending order). The token comes from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("YS_TOKEN")
wrk.body = '{"plan_id": 1, "quantity": 1, "months": 1}'
