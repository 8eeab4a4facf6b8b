use super::*;

fn compile(text: &str, kind: PatternKind) -> FilterPattern {
    FilterPattern::parse(text, kind).unwrap_or_else(|p| panic!("{text:?} should parse: {p:?}"))
}

/// (pattern, input, expected) for branch and tag names: the cheat sheet's
/// examples (reference §2.3, the docs' "Patterns to match branches and tags"
/// table) and act's transcribed table cases.
const REF_CASES: &[(&str, &str, bool)] = &[
    ("feature/*", "feature/my-branch", true),
    ("feature/*", "feature/your-branch", true),
    ("feature/*", "feature/mona/octocat", false),
    ("feature/**", "feature/beta-a/my-branch", true),
    ("feature/**", "feature/mona/the/octocat", true),
    ("main", "main", true),
    ("main", "mainline", false),
    ("releases/mona-the-octocat", "releases/mona-the-octocat", true),
    ("*", "main", true),
    ("*", "releases", true),
    ("*", "releases/x", false),
    ("**", "all/the/branches", true),
    ("**", "every/tag", true),
    ("*feature", "mona-feature", true),
    ("*feature", "feature", true),
    ("*feature", "ver-10-feature", true),
    ("*feature", "feature-x", false),
    ("v2*", "v2", true),
    ("v2*", "v2.0", true),
    ("v2*", "v2.9", true),
    ("v2*", "v3", false),
    ("v[12].[0-9]+.[0-9]+", "v1.10.1", true),
    ("v[12].[0-9]+.[0-9]+", "v2.0.0", true),
    ("v[12].[0-9]+.[0-9]+", "v3.0.0", false),
    ("v[12].[0-9]+.[0-9]+", "v1..0", false),
    ("[CB]at", "Cat", true),
    ("[CB]at", "Bat", true),
    ("[CB]at", "Rat", false),
    ("[1-2]00", "100", true),
    ("[1-2]00", "200", true),
    ("[1-2]00", "300", false),
    ("v*.*.*", "v1.2.3", true),
    ("v*.*.*", "v1.2", false),
    // `.` is literal, not a regex wildcard
    ("v1.0", "v1x0", false),
    // escapes
    ("\\!file", "!file", true),
    ("v1\\+", "v1+", true),
    ("v1\\+", "v11", false),
    // quantifiers apply to the preceding character only
    ("ab+", "abbb", true),
    ("ab+", "abab", false),
    ("ab?c", "ac", true),
    ("ab?c", "abc", true),
    ("ab?c", "abbc", false),
    // `!` elsewhere than first is literal
    ("a!b", "a!b", true),
    // regex metacharacters are literal
    ("a(b)|c{1}$", "a(b)|c{1}$", true),
];

/// (pattern, input, expected) for paths: the docs' "Patterns to match file
/// paths" table and act's cases.
const PATH_CASES: &[(&str, &str, bool)] = &[
    ("*", "README.md", true),
    ("*", "server.rb", true),
    ("*", "path/with/slash", false),
    ("*.jsx?", "page.js", true),
    ("*.jsx?", "page.jsx", true),
    ("*.jsx?", "page.jsxx", false),
    ("**", "all/the/files.md", true),
    ("*.js", "app.js", true),
    ("*.js", "index.js", true),
    ("*.js", "js/index.js", false),
    ("**.js", "index.js", true),
    ("**.js", "js/index.js", true),
    ("**.js", "src/js/app.js", true),
    ("docs/*", "docs/README.md", true),
    ("docs/*", "docs/file.txt", true),
    ("docs/*", "docs/mona/octocat.txt", false),
    ("docs/**", "docs/README.md", true),
    ("docs/**", "docs/mona/octocat.txt", true),
    ("docs/**/*.md", "docs/README.md", true),
    ("docs/**/*.md", "docs/mona/hello-world.md", true),
    ("docs/**/*.md", "docs/a/markdown/file.md", true),
    ("docs/**/*.md", "docs/a/markdown/file.txt", false),
    ("**/docs/**", "docs/hello.md", true),
    ("**/docs/**", "dir/docs/my-file.txt", true),
    ("**/docs/**", "space/docs/plan/space.doc", true),
    ("**/README.md", "README.md", true),
    ("**/README.md", "js/README.md", true),
    ("**/README.md", "js/NOTREADME.md", false),
    ("**/*src/**", "a/src/app.js", true),
    ("**/*src/**", "my-src/code/js/app.js", true),
    ("**/*-post.md", "my-post.md", true),
    ("**/*-post.md", "path/their-post.md", true),
    ("**/migrate-*.sql", "migrate-10909.sql", true),
    ("**/migrate-*.sql", "db/migrate-v1.0.sql", true),
    ("**/migrate-*.sql", "db/sept/migrate-v1.sql", true),
    ("*.md", "hello.md", true),
    ("*.md", "docs/hello.md", false),
    ("README*", "README.md", true),
    ("README*", "README.doc", true),
    (".yml", "fyml", false),
    ("a\\*b", "a*b", true),
    ("a\\*b", "axb", false),
    ("\\[x]", "[x]", true),
    ("escape\\\\backslash", "escape\\backslash", true),
    ("src/model/**", "src/model/a/b.py", true),
    ("data/config.yaml", "data/config.yaml", true),
    ("data/config.yaml", "data/config_yaml", false),
];

#[test]
fn ref_cheat_sheet_examples() {
    for &(pattern, input, expected) in REF_CASES {
        let p = compile(pattern, PatternKind::Ref);
        assert_eq!(p.matches(input), expected, "{pattern:?} vs {input:?}");
    }
}

#[test]
fn path_cheat_sheet_examples() {
    for &(pattern, input, expected) in PATH_CASES {
        let p = compile(pattern, PatternKind::Path);
        assert_eq!(p.matches(input), expected, "{pattern:?} vs {input:?}");
    }
}

#[test]
fn negation_is_reported_not_applied() {
    let p = compile("!README.md", PatternKind::Path);
    assert!(p.is_negated());
    assert!(p.matches("README.md"));
    assert_eq!(p.as_str(), "!README.md");
    assert_eq!(p.to_string(), "!README.md");
    assert!(!compile("README.md", PatternKind::Path).is_negated());
}

#[test]
fn translation_follows_the_reference() {
    let p = compile("docs/**/*.md", PatternKind::Path);
    assert_eq!(p.regex().as_str(), "(?s)\\A(?:docs/(?:.+/)?[^/]*\\.md)\\z");
    let p = compile("v[12].[0-9]+", PatternKind::Ref);
    assert_eq!(p.regex().as_str(), "(?s)\\A(?:v[12]\\.[0-9]+)\\z");
}

/// (offset, severity) pairs of a pattern's problems.
fn problems(text: &str, kind: PatternKind) -> Vec<(usize, Severity)> {
    FilterPattern::validate(text, kind)
        .into_iter()
        .map(|p| (p.offset, p.severity))
        .collect()
}

use Severity::{Error as E, Warning as W};

/// Every pattern of actionlint's `err/glob_more.yaml` under `on.push`, with
/// the offset derived from its `.out` column minus the column where the
/// string starts (after the quote, for quoted scalars).
#[test]
fn glob_more_corpus_offsets() {
    use PatternKind::{Path, Ref};
    // branches (lines 4-7)
    assert_eq!(problems("**", Ref), vec![]);
    assert_eq!(problems("release/v12", Ref), vec![]);
    assert_eq!(problems("[x]", Ref), vec![(2, W)]); // 6:12, string at 6:10
    assert_eq!(problems(" ", Ref), vec![(0, E)]); // 7:10, string at 7:10
                                                  // tags (lines 9-12)
    assert_eq!(problems("!*", Ref), vec![]);
    // 10:9, 10:11, 10:14; plain scalar at 10:9. `\d` is a warning: GitHub
    // runs such a file.
    assert_eq!(problems("/v\\d+/", Ref), vec![(0, E), (2, W), (5, E)]);
    assert_eq!(problems("v[0-", Ref), vec![(3, E)]); // 11:12, plain at 11:9
    assert_eq!(problems("v[9-0]", Ref), vec![(4, E)]); // 12:13, plain at 12:9
                                                       // paths (lines 14-23)
    assert_eq!(problems("", Path), vec![(0, E)]); // 14:8
    assert_eq!(problems("!", Path), vec![(0, E)]); // 15:10, string at 15:10
    assert!(!problems("foo\\bar", Path).contains(&(4, E))); // no error on line 16
    assert_eq!(problems("foo\\bar", Path), vec![(3, W)]);
    assert_eq!(problems(" ", Path), vec![(0, E)]); // 17:10
    assert_eq!(problems("  foo", Path), vec![(0, E)]); // 18:10
    assert_eq!(problems("foo  ", Path), vec![(0, E)]); // 19:10
    assert_eq!(problems("foo.txt\n", Path), vec![(0, E)]); // 20:9, block scalar `|`
    assert_eq!(problems(".", Path), vec![(0, E)]); // 22:10
    assert_eq!(problems("./foo/bar.txt", Path), vec![(0, E)]); // 23:10
                                                               // the image_version list (lines 26-27) uses the same syntax
    assert_eq!(problems("!", Ref), vec![(0, E)]); // 26:10
    assert_eq!(problems("v[0-", Ref), vec![(3, E)]); // 27:13, string at 27:10
}

#[test]
fn glob_more_messages_name_the_problem() {
    let msg = |text: &str, kind| {
        FilterPattern::validate(text, kind)
            .into_iter()
            .map(|p| p.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        msg("[x]", PatternKind::Ref),
        ["character class '[x]' matches only 'x': write 'x' instead"]
    );
    assert_eq!(
        msg(" ", PatternKind::Ref),
        ["branch and tag names cannot contain a space"]
    );
    assert_eq!(
        msg("/v\\d+/", PatternKind::Ref),
        [
            "a branch or tag name cannot start with '/'",
            "'\\d' escapes 'd', which is not special: the backslash is dropped and the pattern \
             matches a literal 'd'; regular expressions are not supported",
            "a branch or tag name cannot end with '/'",
        ]
    );
    assert_eq!(
        msg("v[0-", PatternKind::Ref),
        ["'[' at offset 1 is never closed: missing ']'"]
    );
    assert_eq!(
        msg("v[9-0]", PatternKind::Ref),
        ["range '9-0' in character class is reversed: '9' comes after '0'"]
    );
    assert_eq!(msg("", PatternKind::Path), ["pattern is empty"]);
    assert_eq!(
        msg("!", PatternKind::Path),
        ["'!' must be followed by the pattern to exclude"]
    );
    assert_eq!(
        msg("foo  ", PatternKind::Path),
        ["leading or trailing whitespace is not allowed in a path pattern"]
    );
    assert_eq!(
        msg("./foo/bar.txt", PatternKind::Path),
        [
            "'.' path segments are not allowed: paths are matched from the repository root, \
          without './' or '../'"
        ]
    );
}

/// actionlint's ok files `filters_for_specific_events` and
/// `filters_ignore_for_specific_events`: no problem at all.
#[test]
fn ok_corpus_patterns_have_no_problems() {
    for text in ["main", "v*.*.*", "test", "deploy/*", "bar"] {
        assert_eq!(problems(text, PatternKind::Ref), vec![], "{text:?}");
    }
    assert_eq!(problems("path/to/foo", PatternKind::Path), vec![]);
}

#[test]
fn warnings_do_not_prevent_compiling() {
    let p = compile("[x]y", PatternKind::Path);
    assert!(p.matches("xy"));
    assert_eq!(p.warnings().len(), 1);
    assert_eq!(p.warnings()[0].severity, Severity::Warning);
    let p = compile("foo\\bar", PatternKind::Path);
    assert!(p.matches("foobar"));
    let p = compile("[!-~]", PatternKind::Path);
    assert!(p.matches("a"));
    assert_eq!(problems("[!-~]", PatternKind::Path), vec![(3, W)]);
}

#[test]
fn other_errors_and_their_offsets() {
    use PatternKind::{Path, Ref};
    type Case = (&'static str, PatternKind, &'static [(usize, Severity)]);
    let cases: &[Case] = &[
        ("+a", Path, &[(0, E)]),
        ("?a", Ref, &[(0, E)]),
        ("a*+", Path, &[(2, E)]),
        ("a**?", Path, &[(3, E)]),
        ("a+?", Path, &[(2, E)]),
        ("!?a", Path, &[(1, E)]),
        ("a[]b", Path, &[(2, E)]),
        ("[a-]", Path, &[(3, E)]),
        ("abc\\", Path, &[(3, E)]),
        ("a\nb", Path, &[(1, E)]),
        ("a/./b", Path, &[(2, E)]),
        ("a/..", Path, &[(2, E)]),
        ("!./a", Path, &[(1, E)]),
        ("! a", Path, &[(0, E)]),
        ("a..b", Path, &[]),
        (".github/**", Path, &[]),
        ("a~b", Ref, &[(1, E)]),
        ("a^b:c", Ref, &[(1, E), (3, E)]),
        ("a\tb", Ref, &[(1, E)]),
        ("v1..2", Ref, &[(2, E)]),
        ("a@{b", Ref, &[(1, E)]),
        ("a//b", Ref, &[(1, E)]),
        ("v1.", Ref, &[(2, E)]),
        ("!/a", Ref, &[(1, E)]),
        ("a\\[b", Ref, &[(2, E)]),
        ("a\\[b", Path, &[]),
        ("a\\!b", Ref, &[]),
        ("a b", Path, &[]),
        ("docs/", Path, &[(4, W)]),
        ("/src/**", Path, &[(0, W)]),
        ("!/src/**", Path, &[(1, W)]),
        ("docs\\/", Path, &[(4, W), (5, W)]),
        ("feature/**", Ref, &[]),
    ];
    for &(text, kind, expected) in cases {
        assert_eq!(problems(text, kind), expected, "{text:?} as {kind:?}");
    }
}

/// Offsets count chars, not bytes.
#[test]
fn offsets_are_char_offsets() {
    assert_eq!(problems("é~", PatternKind::Ref), vec![(1, E)]);
    assert!(compile("é+", PatternKind::Path).matches("ééé"));
}

/// Arbitrary input never panics, and a pattern that parses always compiles
/// to a regex that can be run.
#[test]
fn never_panics_on_generated_input() {
    const ALPHABET: &[char] = &[
        '*', '?', '+', '[', ']', '-', '!', '\\', '/', '.', ' ', 'a', '0', '9', 'é', '\n', '~', '{', '@', '^',
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..4_000 {
        let len = (next() % 9) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        for kind in [PatternKind::Ref, PatternKind::Path] {
            let n = text.chars().count();
            match FilterPattern::parse(&text, kind) {
                Ok(p) => {
                    let _ = p.matches(&text);
                    assert!(p.warnings().iter().all(|w| w.offset < n.max(1)));
                }
                Err(problems) => {
                    assert!(!problems.is_empty());
                    assert!(problems.iter().all(|p| p.offset < n.max(1)), "{text:?}");
                }
            }
        }
    }
}
