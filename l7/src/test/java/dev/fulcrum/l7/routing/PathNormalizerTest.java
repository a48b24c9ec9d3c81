package dev.fulcrum.l7.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PathNormalizerTest {

    @ParameterizedTest
    @CsvSource({
            "/,                    /",
            "/video,               /video",
            "/billing/../video,    /video",
            "/a/b/c/./../../g,     /a/g",
            "/a/./b,               /a/b",
            "/a/.,                 /a/",
            "/a/..,                /",
            "/..,                  /",
            "/../../x,             /x",
            "/a/b/..,              /a/",
            "/a/.b/..c/...,        /a/.b/..c/...",
            "/%2e%2e/etc,          /etc",
            "/a/%2E%2e/b,          /b",
            "/%7Euser/%41,         /~user/A",
            "/caf%c3%a9,           /caf%C3%A9",
            "/a%20b,               /a%20b",
            "//double//slash,      //double//slash",
            "/a;p=1/b,             /a;p=1/b",
    })
    void normalizes(String raw, String expected) throws Exception {
        assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
    }

    @Test
    void normalPathIsReturnedAsIs() throws Exception {
        String path = "/already/normal/path";
        assertThat(PathNormalizer.normalize(path)).isSameAs(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb", "/a%2fb", "/a%00", "/a\u0000b", "/a%zz", "/a%4", "/a b", "/a\\b",
            "/caf\u00e9", "relative", "", "/a#frag", "/a\tb"})
    void refuses(String raw) {
        assertThatThrownBy(() -> PathNormalizer.normalize(raw)).isInstanceOf(InvalidRequestTargetException.class);
    }

    @Test
    void refusalSaysWhy() {
        assertThatThrownBy(() -> PathNormalizer.normalize("/a%2Fb")).hasMessage("encoded slash (%2F) in path");
        assertThatThrownBy(() -> PathNormalizer.normalize("/a%00")).hasMessage("encoded NUL in path");
    }
}
