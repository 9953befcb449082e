/*
 * C test of PKCS#11 signers (notation_signer_new_pkcs11) against a SoftHSM
 * token that notation-ffi/tests/c_pkcs11.rs prepares:
 *
 *   test_pkcs11 <uri> <chain.pem> <pin> <missing-object-uri>
 *
 * Checks: a wrong PIN, a missing object, a NULL URI and a malformed URI
 * give their result codes and leave the output untouched; the right PIN
 * (and the chain from the file, or from the token) signs a blob in JWS and
 * COSE. Prints "N passed, M failed". Run under valgrind by the Rust test.
 */
#include <stdio.h>
#include <string.h>

#include "notation.h"

static int passed, failed;

static void check(int ok, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        char buf[512] = "";
        size_t needed = 0;
        if (notation_last_error(buf, sizeof buf, &needed) != NOTATION_RESULT_OK) {
            snprintf(buf, sizeof buf, "(%zu bytes, too long to show)", needed);
        }
        fprintf(stderr, "FAILED: %s (last error: %s)\n", what, buf);
    }
}

static void sign_with(notation_signer *signer, uint32_t format, const char *name) {
    static const uint8_t blob[] = "signed in a token\n";
    notation_sign_options *options = NULL;
    check(notation_sign_options_new(&options) == NOTATION_RESULT_OK, "sign options");
    check(notation_sign_options_set_format(options, format) == NOTATION_RESULT_OK, "set format");
    notation_buffer *signature = NULL;
    check(notation_signer_sign_blob(signer, blob, sizeof blob - 1, options, &signature) ==
              NOTATION_RESULT_OK,
          name);
    const uint8_t *data = NULL;
    size_t len = 0;
    check(signature && notation_buffer_data(signature, &data, &len) == NOTATION_RESULT_OK &&
              len > 100,
          "signature bytes");
    notation_buffer_free(&signature);
    notation_sign_options_free(&options);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s <uri> <chain.pem> <pin> <missing-object-uri>\n", argv[0]);
        return 2;
    }
    const char *uri = argv[1], *chain = argv[2], *pin = argv[3], *missing = argv[4];
    notation_signer *signer = NULL;

    check(notation_signer_new_pkcs11(uri, chain, (const uint8_t *)"0000", 4, &signer) ==
                  NOTATION_RESULT_PKCS11_PIN_INVALID &&
              signer == NULL,
          "wrong PIN");
    check(notation_signer_new_pkcs11(missing, chain, (const uint8_t *)pin, strlen(pin), &signer) ==
                  NOTATION_RESULT_PKCS11_FAILED &&
              signer == NULL,
          "missing object");
    check(notation_signer_new_pkcs11(NULL, chain, NULL, 0, &signer) ==
              NOTATION_RESULT_NULL_PARAMETER,
          "NULL uri");
    check(notation_signer_new_pkcs11("pkcs11:token=%zz", NULL, NULL, 0, &signer) ==
              NOTATION_RESULT_INVALID_ARGUMENT,
          "malformed uri");

    check(notation_signer_new_pkcs11(uri, chain, (const uint8_t *)pin, strlen(pin), &signer) ==
              NOTATION_RESULT_OK,
          "signer with chain file");
    if (signer) {
        sign_with(signer, NOTATION_ENVELOPE_FORMAT_JWS, "sign JWS");
        sign_with(signer, NOTATION_ENVELOPE_FORMAT_COSE, "sign COSE");
    }
    notation_signer_free(&signer);
    check(signer == NULL, "free clears the handle");

    /* The chain from the token. */
    check(notation_signer_new_pkcs11(uri, NULL, (const uint8_t *)pin, strlen(pin), &signer) ==
              NOTATION_RESULT_OK,
          "signer with the chain from the token");
    if (signer) sign_with(signer, NOTATION_ENVELOPE_FORMAT_JWS, "sign JWS, chain from the token");
    notation_signer_free(&signer);
    notation_signer_free(NULL);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
