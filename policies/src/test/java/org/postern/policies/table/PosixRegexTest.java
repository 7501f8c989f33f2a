// PosixRegexTest: regexp: patterns mean what glibc's regcomp() makes of them in Postfix (each case
// was checked against Debian's postmap 3.7): brackets, classes, anchors, BRE with flag x, GNU
// escapes, nested repetition; and what glibc refuses (or silently never matches) is refused.
package org.postern.policies.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PosixRegexTest {

    @ParameterizedTest(name = "/{0}/{1} on \"{2}\" -> {3}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', emptyValue = "", textBlock = """
            [\\.]               ;    ; a\\b      ; true
            [\\.]               ;    ; ab        ; false
            [\\w]               ;    ; w         ; true
            [\\w]               ;    ; a         ; false
            \\<foo\\>           ;    ; a foo b   ; true
            \\<foo\\>           ;    ; afoob     ; false
            a\\+                ;    ; a+        ; true
            a\\+                ;    ; aa        ; false
            \\w+                ;    ; abc       ; true
            a|                  ;    ; x         ; true
            [a-]                ;    ; -         ; true
            []a]                ;    ; ]         ; true
            [^]a]               ;    ; ]         ; false
            [^]a]               ;    ; b         ; true
            a{,3}b              ;    ; b         ; true
            a{2}{3}             ;    ; aaaaaa    ; true
            a{2}{3}             ;    ; aaaaa     ; false
            (a)\\1              ;    ; aa        ; true
            (a)\\1              ;    ; ab        ; false
            \\`a                ;    ; a         ; true
            a\\`                ;    ; a         ; false
            a\\'                ;    ; a         ; true
            ^a$                 ;    ; A         ; true
            ^a$                 ; i  ; A         ; false
            a**                 ;    ; a         ; true
            ^a+?$               ;    ; b         ; false
            ^x(a+)?$            ;    ; x         ; true
            ^b+?c$              ;    ; c         ; true
            [[:upper:]]         ;    ; a         ; true
            [[:upper:]]         ; i  ; a         ; false
            [[:alpha:]]+        ;    ; :         ; false
            [[:space:]]         ;    ; a b       ; true
            [[:digit:][:punct:]] ;   ; x!        ; true
            a.c                 ;    ; `a\nc`    ; true
            a.c                 ; m  ; `a\nc`    ; false
            [^x]                ;    ; `\n`      ; true
            [^x]                ; m  ; `\n`      ; false
            ^b                  ;    ; `a\nb`    ; false
            ^b                  ; m  ; `a\nb`    ; true
            a$                  ;    ; `a\n`     ; false
            a$                  ; m  ; `a\nb`    ; true
            a\\|b               ;    ; a|b       ; true
            a\\|b               ;    ; b         ; false
            a\\{                ;    ; a{        ; true
            [[.a.]]             ;    ; a         ; true
            [[=a=]]             ;    ; a         ; true
            \\B                 ;    ; ab        ; true
            \\S                 ;    ; ` `       ; false
            a#b                 ;    ; a#b       ; true
            a+                  ; x  ; a+        ; true
            a+                  ; x  ; aa        ; false
            a\\{2\\}            ; x  ; aa        ; true
            \\(a\\)\\1          ; x  ; aa        ; true
            *a                  ; x  ; *a        ; true
            \\(*a\\)            ; x  ; *a        ; true
            x*a                 ; x  ; a         ; true
            a^b                 ; x  ; a^b       ; true
            a$b                 ; x  ; a$b       ; true
            a\\|b               ; x  ; b         ; true
            ab\\?c              ; x  ; ac        ; true
            ab\\+c              ; x  ; abbc      ; true
            ^\\(ab\\)*$         ; x  ; abab      ; true
            a|b                 ; x  ; a|b       ; true
            a|b                 ; x  ; b         ; false
            """)
    void matchesAsGlibc(String re, String flags, String key, boolean expected) {
        assertThat(compile(re, flags).matcher(unescape(key)).find()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "/{0}/{1}")
    @CsvSource(delimiter = ';', quoteCharacter = '`', emptyValue = "", textBlock = """
            \\d              ;   ; \\d is not a POSIX regular expression operator
            \\n              ;   ; \\n is not a POSIX regular expression operator
            \\0              ;   ; \\0 is not a POSIX regular expression operator
            ^*a              ;   ; '*' has nothing to repeat
            (*a)             ;   ; '*' has nothing to repeat
            a|*b             ;   ; '*' has nothing to repeat
            a{1              ;   ; invalid interval "{1"
            a{x}             ;   ; invalid interval "{x}"
            a{3,2}           ;   ; the maximum is below the minimum
            a)               ;   ; unmatched )
            (a               ;   ; unmatched (
            \\(a             ; x ; unmatched \\(
            a\\}             ; x ; unmatched \\}
            [[:foo:]]        ;   ; invalid character class name "[:foo:]"
            [a               ;   ; unmatched [
            [z-a]            ;   ; invalid range end in "[z-a]"
            [[.ab.]]         ;   ; collating element "[.ab.]" is not supported
            [[:alpha:]-z]    ;   ; a character class cannot start a range
            [a-[:alpha:]]    ;   ; a character class cannot end a range
            \\2(a)           ;   ; invalid back reference \\2
            a\\              ;   ; trailing backslash
            """)
    void refusedAsGlibcRefusesThem(String re, String flags, String message) {
        assertThatThrownBy(() -> compile(re, flags)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageContaining("\"" + re + "\"");
    }

    private static java.util.regex.Pattern compile(String re, String given) {
        String flags = given == null ? "" : given;
        return PosixRegex.compile(re, !flags.contains("i"), flags.contains("m"), !flags.contains("x"));
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n");
    }
}
