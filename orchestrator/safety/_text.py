"""Checks on the raw text and its token stream, before any syntax tree is trusted.

sqlglot silently reads some statements as something else (`LISTEN ch` becomes a column
with an alias, `U&"x"` a bitwise AND), so the first keyword and a few lexical features are
judged here, independently of the parser.

Size: input over MAX_QUERY_BYTES (16 KiB of UTF-8) is refused before it is tokenised.
Parsing cost grows faster than the text (a 60 KB `SELECT 1+1+...` took seconds of CPU),
and a dashboard query is a few hundred bytes; 16 KiB leaves room for generated SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlglot.tokens import Token, TokenType

from ._result import Violation

MAX_QUERY_BYTES = 16 * 1024
MAX_NESTING_DEPTH = 32  # sqlglot hits Python's recursion limit near 60


class StatementKind(StrEnum):
    """The category a statement's first keyword announces."""

    QUERY = "query"
    WRITE = "write"
    DDL = "ddl"
    DCL = "dcl"
    OTHER = "other"


_KIND_BY_FIRST_KEYWORD = {
    "SELECT": StatementKind.QUERY,
    "WITH": StatementKind.QUERY,  # may still hide DML: the tree walk decides
    "VALUES": StatementKind.QUERY,
    "TABLE": StatementKind.QUERY,
    "(": StatementKind.QUERY,
    "INSERT": StatementKind.WRITE,
    "UPDATE": StatementKind.WRITE,
    "DELETE": StatementKind.WRITE,
    "MERGE": StatementKind.WRITE,
    "CREATE": StatementKind.DDL,
    "DROP": StatementKind.DDL,
    "ALTER": StatementKind.DDL,
    "TRUNCATE": StatementKind.DDL,
    "COMMENT": StatementKind.DDL,
    "GRANT": StatementKind.DCL,
    "REVOKE": StatementKind.DCL,
}

_QUOTED_TOKENS = frozenset(
    {
        TokenType.IDENTIFIER,
        TokenType.STRING,
        TokenType.NATIONAL_STRING,
        TokenType.BYTE_STRING,
        TokenType.BIT_STRING,
        TokenType.HEX_STRING,
        TokenType.RAW_STRING,
        TokenType.UNICODE_STRING,
        TokenType.HEREDOC_STRING,
    }
)


def check_raw_text(query: object) -> Violation | None:
    """Refuse what must never reach the tokenizer: non-text, empty, huge, or NUL bytes."""
    if not isinstance(query, str):
        return Violation("invalid_input", f"the query must be text, got {type(query).__name__}")
    size = len(query) if len(query) > MAX_QUERY_BYTES else _utf8_size(query)
    if size > MAX_QUERY_BYTES:
        return Violation(
            "too_long",
            f"the query is over {MAX_QUERY_BYTES:,} bytes (UTF-8); it is refused unread",
        )
    if "\x00" in query:
        return Violation("null_byte", "the query contains a NUL byte (\\x00)")
    if not query.strip():
        return Violation("empty_query", "the query is empty")
    return None


def _utf8_size(query: str) -> int:
    # surrogatepass: a lone surrogate is measured here and refused later by the tokenizer
    return len(query.encode("utf-8", "surrogatepass"))


def statement_kind(tokens: Sequence[Token]) -> StatementKind:
    """What the first keyword says this statement is; quoted words never count as keywords."""
    first = tokens[0]
    if first.token_type in _QUOTED_TOKENS:
        return StatementKind.OTHER
    return _KIND_BY_FIRST_KEYWORD.get(first.text.upper(), StatementKind.OTHER)


def check_tokens(tokens: Sequence[Token]) -> list[Violation]:
    """Lexical refusals: stacked statements, Unicode-escaped names, deep nesting."""
    violations: list[Violation] = []
    if all(token.token_type == TokenType.SEMICOLON for token in tokens):
        return [
            Violation("empty_query", "the query has no statement (only comments or semicolons)")
        ]
    if _has_statement_after_semicolon(tokens):
        violations.append(
            Violation("multiple_statements", "only one statement is allowed; found more after ';'")
        )
    if _has_unicode_escaped_name(tokens):
        violations.append(
            Violation("unicode_escape", 'Unicode-escaped names (U&"...") are not allowed')
        )
    depth = _max_paren_depth(tokens)
    if depth > MAX_NESTING_DEPTH:
        violations.append(
            Violation(
                "too_deeply_nested",
                f"parentheses nest {depth} deep; at most {MAX_NESTING_DEPTH} allowed",
            )
        )
    return violations


def _has_statement_after_semicolon(tokens: Sequence[Token]) -> bool:
    seen_semicolon = False
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            seen_semicolon = True
        elif seen_semicolon:
            return True
    return False


def _has_unicode_escaped_name(tokens: Sequence[Token]) -> bool:
    # U&'...' strings are tokenised as such and rendered back faithfully. U&"..." names are
    # not: sqlglot reads `U & "x"` (a bitwise AND), while Postgres reads one escaped name
    # when the three pieces touch. Such names are refused, never decoded.
    for u, amp, quoted in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            u.text.upper() == "U"
            and u.token_type not in _QUOTED_TOKENS
            and amp.token_type == TokenType.AMP
            and quoted.token_type in _QUOTED_TOKENS
            and amp.start == u.end + 1
            and quoted.start == amp.end + 1
        ):
            return True
    return False


def _max_paren_depth(tokens: Sequence[Token]) -> int:
    depth = deepest = 0
    for token in tokens:
        if token.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
            deepest = max(deepest, depth)
        elif token.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
    return deepest
