-- The evidence of a release: one row per capture (int_capture_evidence, built incrementally,
-- documents it), without its bookkeeping column. Every *_capture_id column of every published
-- table resolves here.

{{ config(materialized='view') }}

select * exclude (load_batch)
from {{ ref('int_capture_evidence') }}
