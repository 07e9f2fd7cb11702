-- The state of every observed counter at each month end (built incrementally in
-- int_counter_months; this view leaves out its bookkeeping column).

{{ config(materialized='view') }}

select * exclude (built_through_batch)
from {{ ref('int_counter_months') }}
