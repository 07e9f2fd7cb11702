-- Access indicators per scope, counter type and month (built incrementally in
-- int_access_indicator_cells, which documents the definitions; this view leaves out its
-- bookkeeping columns).

{{ config(materialized='view') }}

select * exclude (built_through_batch, inputs_fingerprint)
from {{ ref('int_access_indicator_cells') }}
