"""The function allowlist: what an analyst calls in a read-only query, and nothing else.

sqlglot turns many known functions into typed nodes (`count(*)` is `exp.Count`,
`string_agg` is `exp.GroupConcat`, `now()` is `exp.CurrentTimestamp`) and everything else
into `exp.Anonymous`. A typed node is accepted when one of its SQL names is on the name
allowlist or its class is on the typed-node allowlist; an anonymous call only by name.
Anything absent is refused, which covers sleeping, file access, large objects, dblink,
backend signalling, advisory locks, sequences, `set_config` and functions that run SQL
or take a table name as a string (query_to_xml, ts_stat, ...).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from ._result import Violation


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Full-text search is here, never `ts_stat` (it runs the SQL text it is given). `all` and
# `row` are keywords sqlglot reads as calls: `x <> ALL (ARRAY[...])`, `ROW(a, b)`.
ALLOWED_FUNCTION_NAMES: frozenset[str] = _words(
    """
    count sum avg min max coalesce nullif greatest least bool_and bool_or every bit_and
    bit_or stddev stddev_samp stddev_pop variance var_samp var_pop corr covar_pop covar_samp
    regr_slope regr_intercept regr_r2 regr_count percentile_cont percentile_disc mode
    string_agg array_agg row_number rank dense_rank percent_rank cume_dist ntile lag lead
    first_value last_value nth_value date_trunc date_part date_bin extract now current_date
    current_time current_timestamp localtime localtimestamp clock_timestamp
    statement_timestamp transaction_timestamp age to_char to_date to_timestamp to_number
    make_date make_time make_timestamp make_timestamptz make_interval justify_days
    justify_hours justify_interval isfinite timezone lower upper initcap length char_length
    character_length octet_length bit_length substring substr trim ltrim rtrim btrim concat
    concat_ws left right lpad rpad replace translate reverse repeat split_part strpos
    position starts_with format quote_literal quote_ident quote_nullable regexp_replace
    regexp_match regexp_matches regexp_like regexp_count regexp_instr regexp_substr
    regexp_split_to_array regexp_split_to_table string_to_array string_to_table
    array_to_string ascii chr md5 sha224 sha256 sha384 sha512 encode decode to_hex overlay
    abs ceil ceiling floor round trunc sign sqrt cbrt power pow exp ln log log10 mod div pi
    degrees radians sin cos tan asin acos atan atan2 width_bucket scale random array_length
    array_lower array_upper array_ndims array_dims array_position array_positions
    array_remove array_replace array_append array_prepend array_cat cardinality unnest
    generate_series generate_subscripts json_build_object jsonb_build_object
    json_build_array jsonb_build_array json_object jsonb_object json_agg jsonb_agg
    json_object_agg jsonb_object_agg to_json to_jsonb row_to_json array_to_json
    json_array_length jsonb_array_length json_array_elements jsonb_array_elements
    json_array_elements_text jsonb_array_elements_text json_each jsonb_each json_each_text
    jsonb_each_text json_object_keys jsonb_object_keys json_extract_path jsonb_extract_path
    json_extract_path_text jsonb_extract_path_text json_typeof jsonb_typeof json_strip_nulls
    jsonb_strip_nulls jsonb_pretty jsonb_set jsonb_insert jsonb_path_exists jsonb_path_match
    jsonb_path_query jsonb_path_query_array jsonb_path_query_first json_populate_record
    jsonb_populate_record json_to_record jsonb_to_record json_to_recordset
    jsonb_to_recordset current_setting current_user session_user current_schema
    current_database current_role to_tsvector to_tsquery plainto_tsquery phraseto_tsquery
    websearch_to_tsquery ts_rank ts_rank_cd ts_headline setweight numnode tsvector_to_array
    int4range int8range numrange daterange tsrange tstzrange isempty lower_inc upper_inc
    lower_inf upper_inf range_merge all row grouping any_value
    """
)

# Typed sqlglot nodes whose SQL names differ from the Postgres spelling, and syntax that
# sqlglot models as a function (CASE, CAST, JSON operators, ARRAY[...]).
ALLOWED_NODE_TYPES: frozenset[str] = _words(
    """
    Case If Cast TryCast Collate Array Struct Extract Exists TimestampTrunc DateTrunc
    TimeToStr StrToTime StrToDate UnixToTime TsOrDsToDate CurrentTimestamp CurrentDate
    CurrentTime Localtimestamp Localtime DatetimeAdd DatetimeSub DateAdd DateSub DateDiff
    TimestampAdd TimestampSub TimestampDiff GroupConcat ArrayAgg JSONArrayAgg JSONObjectAgg
    JSONBObjectAgg JSONObject JSONArray JSONExtract JSONExtractScalar JSONBExtract
    JSONBExtractScalar JSONBContains JSONBContainsAnyTopKeys JSONBContainsAllTopKeys
    JSONBExists JSONFormat ParseJSON JSONExtractArray JSONBContainsTopKey JSONArrayContains
    JSONBDeleteAtPath JSONBPathExists RegexpFullMatch ArrayContainsAll ArrayContains
    ArrayContainedBy ArrayOverlaps ArraySize ArrayConcat ArrayToString ArrayPosition
    ArrayRemove ArrayAppend ArrayPrepend ArrayFilter Explode Unnest ExplodingGenerateSeries
    GenerateSeries GenerateDateArray LogicalAnd LogicalOr Rand Pow StrPosition Pad Left
    Right Repeat Translate RegexpReplace RegexpLike RegexpILike RegexpExtract
    RegexpExtractAll RegexpSplit RegexpCount RegexpInstr RegexpSubstr SplitPart
    StringToArray Substring SubstringIndex Trim Lower Upper Initcap Length BitLength
    ByteLength Chr Ascii Reverse Format Concat ConcatWs MD5 MD5Digest SHA SHA2 SHA2Digest
    Encode Decode Hex LowerHex Abs Ceil Floor Round Trunc Sign Sqrt Cbrt Ln Log Exp Degrees
    Radians Pi WidthBucket Stddev StddevSamp StddevPop Variance VariancePop Corr CovarPop
    CovarSamp RegrSlope RegrIntercept RegrR2 RegrCount PercentileCont PercentileDisc Mode
    Quantile ApproxQuantile Median RowNumber Rank DenseRank PercentRank CumeDist Ntile Lag
    Lead FirstValue LastValue NthValue Count Sum Avg Min Max Coalesce Nullif Greatest Least
    MakeInterval JustifyDays JustifyHours JustifyInterval ToChar ToNumber TimeToUnix Date
    DateFromParts TimestampFromParts TimeFromParts ConvertTimezone Overlay Xor StartsWith
    Grouping AnyValue MatchAgainst
    """
)


def check_functions(tree: exp.Expression) -> Iterator[Violation]:
    """Every call in the tree must be on the allowlist and unqualified."""
    for node in tree.walk():
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
            yield _qualified_call(node.this.sql(dialect="postgres"), node.expression)
        elif isinstance(node, exp.Table) and isinstance(node.this, exp.Func) and node.db:
            yield _qualified_call(node.db, node.this)
        elif isinstance(node, exp.Connector):
            continue  # AND/OR/XOR are operators that sqlglot happens to model as functions
        elif isinstance(node, exp.Func) and not is_allowed_function(node):
            yield Violation(
                "forbidden_function",
                f"function {function_name(node)}() is not on the allowlist of read-only functions",
            )


def is_allowed_function(node: exp.Func) -> bool:
    if isinstance(node, (exp.Anonymous, exp.AnonymousAggFunc)):
        return node.name.lower() in ALLOWED_FUNCTION_NAMES
    if type(node).__name__ in ALLOWED_NODE_TYPES:
        return True
    return any(name.lower() in ALLOWED_FUNCTION_NAMES for name in type(node).sql_names())


def function_name(node: exp.Func) -> str:
    """The name a user would recognise: as written for unknown calls, else sqlglot's."""
    if isinstance(node, (exp.Anonymous, exp.AnonymousAggFunc)):
        return node.name
    return node.sql_name().lower()


def _qualified_call(qualifier: str, call: exp.Func) -> Violation:
    return Violation(
        "forbidden_function",
        f"schema-qualified call {qualifier}.{function_name(call)}() is not allowed; "
        "call allowlisted functions without a schema",
    )
