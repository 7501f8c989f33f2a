// PcreRegexTest: pcre: patterns mean what PCRE2 makes of them in Postfix 3.7 (checked against
// Debian's postmap), after Postern's rewriting for java.util.regex; constructs Java cannot honour
// are refused at load with the token named.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PcreRegexTest {

    @ParameterizedTest(name = "/{0}/{1} on \"{2}\" -> {3}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', emptyValue = "", textBlock = """
            [[:alpha:]]          ;    ; b          ; true
            [[:^digit:]]         ;    ; 5          ; false
            [[:^digit:]]         ;    ; a          ; true
            [[:word:]]           ;    ; _          ; true
            (?#comment)a         ;    ; a          ; true
            (?P<n>a)(?P=n)       ;    ; aa         ; true
            (?'n'a)\\k'n'        ;    ; aa         ; true
            (?<n>a)\\k{n}        ;    ; aa         ; true
            (?<n>a)\\g{n}        ;    ; aa         ; true
            (a)\\g{-1}           ;    ; aa         ; true
            (a)\\g1              ;    ; aa         ; true
            (a)(b)\\g-2          ;    ; aba        ; true
            x\\Ky                ;    ; xy         ; true
            a{                   ;    ; a{         ; true
            a{,3}b               ;    ; a{,3}b     ; true
            a{,3}b               ;    ; b          ; false
            a{2}                 ;    ; aa         ; true
            \\Qa.b\\E            ;    ; a.b        ; true
            \\Qa.b\\E            ;    ; axb        ; false
            \\Qa b               ; x  ; a b        ; true
            bc                   ; A  ; abc        ; false
            ab                   ; A  ; abc        ; true
            ABC                  ; i  ; abc        ; false
            (?i)ABC              ; i  ; abc        ; true
            (?i:A)b              ; i  ; aB         ; false
            (?i:A)b              ; i  ; ab         ; true
            []a]                 ;    ; ]          ; true
            \\N                  ;    ; a          ; true
            \\N                  ;    ; `\n`       ; false
            a$                   ;    ; `a\n`      ; true
            a$                   ; E  ; `a\n`      ; false
            a.c                  ;    ; `a\nc`     ; true
            a.c                  ; s  ; `a\nc`     ; false
            ^b                   ; m  ; `a\nb`     ; true
            (?C)a                ;    ; a          ; true
            (?C12)a(?C"x")       ;    ; a          ; true
            (*FAIL)|a            ;    ; a          ; true
            a # comment          ; x  ; a          ; true
            [ ]                  ; x  ; a b        ; true
            [#]                  ; x  ; #          ; true
            a\\ b                ; x  ; a b        ; true
            \\e                  ;    ; x          ; false
            \\x41\\x{42}         ;    ; ab         ; true
            ^\\x$                ;    ; `\0`       ; true
            \\o{101}             ;    ; A          ; true
            ^\\012$              ;    ; `\n`       ; true
            [\\1]                ;    ; `\1`       ; true
            \\ca                 ;    ; `\1`       ; true
            [\\b]                ;    ; `\b`       ; true
            (?x) a b             ;    ; ab         ; true
            a[&&]                ;    ; a&         ; true
            a[[]                 ;    ; a[         ; true
            ^\\103$              ;    ; C          ; true
            ^(a)\\1$             ;    ; aa         ; true
            ^(a)\\11$            ;    ; `a\t`      ; true
            ^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\\11$ ; ; abcdefghijkk ; true
            """)
    void matchesAsPcre(String re, String flags, String key, boolean expected) {
        Matcher m = compile(re, flags).matcher(unescape(key));
        boolean anchored = flags != null && flags.contains("A");
        assertThat(anchored ? m.lookingAt() : m.find()).isEqualTo(expected);
    }

    @Test
    void ungreedyFlagSwapsGreedyAndLazy() {
        Matcher m = compile("^(a+?)(a*)$", "U").matcher("aaa");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("aaa");
        Matcher lazy = compile("^(a+?)(a*)$", "").matcher("aaa");
        assertThat(lazy.find()).isTrue();
        assertThat(lazy.group(1)).isEqualTo("a");
        Matcher possessive = compile("^(a++)(a*)$", "U").matcher("aaa");
        assertThat(possessive.find()).isTrue();
        assertThat(possessive.group(1)).isEqualTo("aaa");
    }

    @ParameterizedTest(name = "/{0}/")
    @CsvSource(delimiter = ';', quoteCharacter = '`', textBlock = """
            (?R)?a          ; recursion or subroutine call (?R)
            (a)(?1)         ; recursion or subroutine call (?1)
            (a)(?-1)        ; recursion or subroutine call (?-1)
            (?&n)           ; recursion or subroutine call (?&n)
            (?P>n)          ; recursion or subroutine call (?P>n
            (a)\\g<1>       ; subroutine call \\g<...> is not supported
            (?|(a)|(b))     ; branch reset group (?|...)
            (?(1)a|b)       ; conditional group
            (*ACCEPT)a      ; backtracking control verb or start option (*ACCEPT)
            (*UTF)a         ; (*UTF)
            (?U)a+          ; inline option (?U)
            (?J)a           ; inline option (?J)
            (?xx)a          ; inline option (?x)
            \\u0041         ; \\u is not supported
            \\C             ; \\C is not supported
            \\N{U+41}       ; \\N{...} is not supported
            \\8             ; reference \\8 to a group that does not exist
            (a)\\g{-2}      ; reference \\g-2 to a group that does not exist
            [\\d-z]         ; a class such as \\d cannot start a range
            \\p{L&}         ; bad regular expression
            [[:foo:]]       ; unknown POSIX class name [:foo:]
            [a              ; missing terminating ] for character class
            a\\             ; \\ at end of pattern
            """)
    void refusedWithTheTokenNamed(String re, String message) {
        assertThatThrownBy(() -> compile(re, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    private static java.util.regex.Pattern compile(String re, String given) {
        String flags = given == null ? "" : given;
        return PcreRegex.compile(re, new PcreRegex.Options(!flags.contains("i"), flags.contains("m"),
                !flags.contains("s"), flags.contains("x"), flags.contains("E"), flags.contains("U")));
    }

    private static String unescape(String s) {
        return s.replace("\\t", "\t").replace("\\n", "\n").replace("\\0", "\0").replace("\\1", "\u0001").replace("\\b", "\b");
    }
}
