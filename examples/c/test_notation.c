/*
 * test_notation.c: C tests of libnotation, run by `make check` plainly and
 * under valgrind, linked against the shared and the static library.
 *
 *   test_notation <pki-dir> <oci-layout-dir> <second-oci-layout-dir>
 *
 * Both layouts are writable copies of the conformance layout `e2e`.
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notation.h"

static int passed_count = 0;
static int failed_count = 0;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            passed_count++;                                                         \
        } else {                                                                    \
            failed_count++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_RC(call, expected)                                                           \
    do {                                                                                   \
        notation_result rc_ = (call);                                                      \
        if (rc_ == (expected)) {                                                           \
            passed_count++;                                                                \
        } else {                                                                           \
            failed_count++;                                                                \
            char msg_[1024] = "";                                                          \
            size_t n_ = 0;                                                                 \
            notation_last_error(msg_, sizeof msg_, &n_);                                   \
            fprintf(stderr, "%s:%d: %s returned %u, expected %u (%s)\n", __FILE__, __LINE__, \
                    #call, (unsigned)rc_, (unsigned)(expected), msg_);                      \
        }                                                                                  \
    } while (0)

#define CHECK_OK(call) CHECK_RC(call, NOTATION_RESULT_OK)

static const char *pki_dir;

static const char OCI_POLICY[] =
    "{\"version\":\"1.0\",\"trustPolicies\":[{"
    "\"name\":\"tests\",\"registryScopes\":[\"local/tests\"],"
    "\"signatureVerification\":{\"level\":\"strict\"},"
    "\"trustStores\":[\"ca:test\"],\"trustedIdentities\":[\"*\"]}]}";

static const char BLOB_POLICY[] =
    "{\"version\":\"1.0\",\"trustPolicies\":[{"
    "\"name\":\"tests\",\"signatureVerification\":{\"level\":\"strict\"},"
    "\"trustStores\":[\"ca:test\"],\"trustedIdentities\":[\"*\"],\"globalPolicy\":true},{"
    "\"name\":\"audit\",\"signatureVerification\":{\"level\":\"audit\"},"
    "\"trustStores\":[\"ca:test\"],\"trustedIdentities\":[\"*\"]}]}";

static unsigned char *read_file(const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", pki_dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

static notation_signer *make_signer(const char *key, const char *chain) {
    size_t key_len = 0;
    size_t chain_len = 0;
    unsigned char *key_data = read_file(key, &key_len);
    unsigned char *chain_data = read_file(chain, &chain_len);
    notation_signer *signer = NULL;
    CHECK_OK(notation_signer_new(key_data, key_len, chain_data, chain_len, &signer));
    free(key_data);
    free(chain_data);
    return signer;
}

static notation_config *make_config(void) {
    notation_config *config = NULL;
    CHECK_OK(notation_config_new(&config));
    CHECK_OK(notation_config_set_oci_policy(config, (const uint8_t *)OCI_POLICY,
                                            strlen(OCI_POLICY)));
    CHECK_OK(notation_config_set_blob_policy(config, (const uint8_t *)BLOB_POLICY,
                                             strlen(BLOB_POLICY)));
    size_t root_len = 0;
    unsigned char *root = read_file("root.crt", &root_len);
    CHECK_OK(notation_config_add_certificates(config, NOTATION_TRUST_STORE_TYPE_CA, "test", root,
                                              root_len));
    free(root);
    return config;
}

/* Signs `blob` and returns the envelope in a buffer. */
static notation_buffer *sign(const notation_signer *signer, const char *blob,
                             notation_envelope_format format) {
    notation_sign_options *options = NULL;
    CHECK_OK(notation_sign_options_new(&options));
    CHECK_OK(notation_sign_options_set_format(options, format));
    notation_buffer *signature = NULL;
    CHECK_OK(notation_signer_sign_blob(signer, (const uint8_t *)blob, strlen(blob), options,
                                       &signature));
    notation_sign_options_free(&options);
    return signature;
}

static notation_result verify(const notation_verifier *verifier,
                              const notation_buffer *signature, notation_envelope_format format,
                              const char *blob, const notation_verify_options *options,
                              notation_verification_result *result) {
    const uint8_t *sig = NULL;
    size_t sig_len = 0;
    CHECK_OK(notation_buffer_data(signature, &sig, &sig_len));
    return notation_verifier_verify_blob(verifier, sig, sig_len, format, (const uint8_t *)blob,
                                         strlen(blob), options, result);
}

static void test_version_and_text(void) {
    CHECK(strlen(notation_version()) > 0);
    char small[4];
    size_t needed = 0;
    CHECK_RC(notation_result_text(NOTATION_RESULT_VERIFICATION_FAILED, small, sizeof small,
                                  &needed),
             NOTATION_RESULT_BUFFER_TOO_SMALL);
    CHECK(needed == strlen("signature verification failed") + 1);
    CHECK_RC(notation_result_text(NOTATION_RESULT_OK, NULL, 0, &needed),
             NOTATION_RESULT_BUFFER_TOO_SMALL);
    char *text = malloc(needed);
    CHECK_OK(notation_result_text(NOTATION_RESULT_OK, text, needed, &needed));
    CHECK(strcmp(text, "success") == 0);
    free(text);
}

static void test_blob_passes_with_every_check(const notation_verifier *verifier,
                                              const notation_signer *signer) {
    const notation_envelope_format formats[] = {NOTATION_ENVELOPE_FORMAT_JWS,
                                                NOTATION_ENVELOPE_FORMAT_COSE};
    for (size_t f = 0; f < 2; f++) {
        notation_buffer *signature = sign(signer, "a blob", formats[f]);
        notation_verification_result *result = NULL;
        CHECK_OK(notation_verification_result_new(&result));
        CHECK_OK(verify(verifier, signature, formats[f], "a blob", NULL, result));
        bool passed = false;
        CHECK_OK(notation_verification_result_passed(result, &passed));
        CHECK(passed);
        size_t count = 0;
        CHECK_OK(notation_verification_result_check_count(result, &count));
        CHECK(count == 5);
        const notation_check expected[] = {
            NOTATION_CHECK_INTEGRITY, NOTATION_CHECK_AUTHENTICITY, NOTATION_CHECK_EXPIRY,
            NOTATION_CHECK_AUTHENTIC_TIMESTAMP, NOTATION_CHECK_REVOCATION};
        for (size_t i = 0; i < count && i < 5; i++) {
            notation_check kind = 0;
            notation_check_action action = 0;
            bool ok = false;
            CHECK_OK(notation_verification_result_check(result, i, &kind, &action, &ok));
            CHECK(kind == expected[i]);
            CHECK(action == NOTATION_CHECK_ACTION_ENFORCE);
            CHECK(ok);
        }
        char digest[128];
        size_t needed = 0;
        CHECK_OK(notation_verification_result_payload_digest(result, digest, sizeof digest,
                                                             &needed));
        CHECK(strncmp(digest, "sha256:", 7) == 0);
        uint64_t size = 0;
        CHECK_OK(notation_verification_result_payload_size(result, &size));
        CHECK(size == strlen("a blob"));
        CHECK_RC(notation_verification_result_failure(result, digest, sizeof digest, &needed),
                 NOTATION_RESULT_NOT_AVAILABLE);
        notation_verification_result_free(&result);
        notation_buffer_free(&signature);
    }
}

static void test_tampered_blob_fails(const notation_verifier *verifier,
                                     const notation_signer *signer) {
    notation_buffer *signature = sign(signer, "original", NOTATION_ENVELOPE_FORMAT_JWS);
    notation_verification_result *result = NULL;
    CHECK_OK(notation_verification_result_new(&result));
    CHECK_RC(verify(verifier, signature, NOTATION_ENVELOPE_FORMAT_JWS, "tampered", NULL, result),
             NOTATION_RESULT_ARTIFACT_MISMATCH);
    bool passed = true;
    CHECK_OK(notation_verification_result_passed(result, &passed));
    CHECK(!passed);
    char text[512];
    size_t needed = 0;
    CHECK_OK(notation_verification_result_failure(result, text, sizeof text, &needed));
    CHECK(strcmp(text, "integrity check failed. signature does not match the given blob") == 0);
    /* The signature itself verified: every check passed. */
    size_t count = 0;
    CHECK_OK(notation_verification_result_check_count(result, &count));
    CHECK(count == 5);
    notation_verification_result_free(&result);
    notation_buffer_free(&signature);
}

static void test_untrusted_signer_fails_authenticity(const notation_verifier *verifier) {
    notation_signer *untrusted = make_signer("self-signed.key", "self-signed.crt");
    notation_buffer *signature = sign(untrusted, "blob", NOTATION_ENVELOPE_FORMAT_COSE);
    notation_verification_result *result = NULL;
    CHECK_OK(notation_verification_result_new(&result));
    CHECK_RC(verify(verifier, signature, NOTATION_ENVELOPE_FORMAT_COSE, "blob", NULL, result),
             NOTATION_RESULT_VERIFICATION_FAILED);
    size_t count = 0;
    CHECK_OK(notation_verification_result_check_count(result, &count));
    CHECK(count == 2);
    notation_check kind = 0;
    notation_check_action action = 0;
    bool ok = true;
    CHECK_OK(notation_verification_result_check(result, 1, &kind, &action, &ok));
    CHECK(kind == NOTATION_CHECK_AUTHENTICITY);
    CHECK(action == NOTATION_CHECK_ACTION_ENFORCE);
    CHECK(!ok);
    char text[512];
    size_t needed = 0;
    CHECK_OK(notation_verification_result_check_failure(result, 1, text, sizeof text, &needed));
    CHECK(strcmp(text,
                 "the signature's certificate chain does not contain any trusted certificate") ==
          0);
    CHECK_RC(notation_verification_result_check(result, 2, &kind, &action, &ok),
             NOTATION_RESULT_INDEX_OUT_OF_RANGE);

    /* The audit statement only logs it. */
    notation_verify_options *options = NULL;
    CHECK_OK(notation_verify_options_new(&options));
    CHECK_OK(notation_verify_options_set_policy_name(options, "audit"));
    CHECK_OK(verify(verifier, signature, NOTATION_ENVELOPE_FORMAT_COSE, "blob", options, result));
    CHECK_OK(notation_verification_result_check(result, 1, &kind, &action, &ok));
    CHECK(action == NOTATION_CHECK_ACTION_LOG && !ok);

    notation_verify_options_free(&options);
    notation_verification_result_free(&result);
    notation_buffer_free(&signature);
    notation_signer_free(&untrusted);
}

static void test_hostile_calls(const notation_verifier *verifier) {
    notation_config *config = NULL;
    CHECK_RC(notation_config_new(NULL), NOTATION_RESULT_NULL_PARAMETER);
    CHECK_RC(notation_config_open_dir(NULL, &config), NOTATION_RESULT_NULL_PARAMETER);
    CHECK(config == NULL);
    CHECK_RC(notation_verifier_verify_blob(verifier, (const uint8_t *)"x", 1, 1,
                                           (const uint8_t *)"x", 1, NULL, NULL),
             NOTATION_RESULT_NULL_PARAMETER);
    const char bad_utf8[] = {(char)0xff, (char)0xfe, 0};
    CHECK_RC(notation_config_open_dir(bad_utf8, &config), NOTATION_RESULT_INVALID_UTF8);
    char message[256];
    size_t needed = 0;
    CHECK_OK(notation_last_error(message, sizeof message, &needed));
    CHECK(strstr(message, "UTF-8") != NULL);
    notation_sign_options *options = NULL;
    CHECK_OK(notation_sign_options_new(&options));
    CHECK_RC(notation_sign_options_set_format(options, 42), NOTATION_RESULT_INVALID_ARGUMENT);
    /* Double free through the documented API, and free(NULL). */
    notation_sign_options_free(&options);
    CHECK(options == NULL);
    notation_sign_options_free(&options);
    notation_sign_options_free(NULL);
    notation_verifier_free(NULL);
    /* Policy validation with the reference's message. */
    const char *invalid = "{\"version\":\"1.0\",\"trustPolicies\":[]}";
    CHECK_RC(notation_trust_policy_validate(NOTATION_POLICY_KIND_BLOB, (const uint8_t *)invalid,
                                            strlen(invalid)),
             NOTATION_RESULT_POLICY_INVALID);
    CHECK_OK(notation_last_error(message, sizeof message, &needed));
    CHECK(strcmp(message, "blob trust policy document can not have zero trust policy "
                          "statements") == 0);
    CHECK_RC(notation_trust_policy_validate(NOTATION_POLICY_KIND_OCI, (const uint8_t *)"{", 1),
             NOTATION_RESULT_POLICY_MALFORMED);
}

struct thread_args {
    const notation_verifier *verifier;
    const notation_buffer *good;
    const notation_buffer *bad;
    int failures;
};

static void *verify_many(void *arg) {
    struct thread_args *args = arg;
    notation_verification_result *result = NULL;
    if (notation_verification_result_new(&result) != NOTATION_RESULT_OK) {
        args->failures++;
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        const uint8_t *sig = NULL;
        size_t len = 0;
        notation_buffer_data(i % 2 ? args->bad : args->good, &sig, &len);
        notation_result rc = notation_verifier_verify_blob(
            args->verifier, sig, len, NOTATION_ENVELOPE_FORMAT_JWS, (const uint8_t *)"shared", 6,
            NULL, result);
        if (rc != (i % 2 ? NOTATION_RESULT_VERIFICATION_FAILED : NOTATION_RESULT_OK)) {
            args->failures++;
        }
    }
    notation_verification_result_free(&result);
    return NULL;
}

static void test_threads_share_one_verifier(const notation_verifier *verifier,
                                            const notation_signer *signer) {
    notation_signer *untrusted = make_signer("self-signed.key", "self-signed.crt");
    notation_buffer *good = sign(signer, "shared", NOTATION_ENVELOPE_FORMAT_JWS);
    notation_buffer *bad = sign(untrusted, "shared", NOTATION_ENVELOPE_FORMAT_JWS);
    pthread_t threads[4];
    struct thread_args args[4];
    for (int t = 0; t < 4; t++) {
        args[t] = (struct thread_args){verifier, good, bad, 0};
        CHECK(pthread_create(&threads[t], NULL, verify_many, &args[t]) == 0);
    }
    for (int t = 0; t < 4; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(args[t].failures == 0);
    }
    notation_buffer_free(&good);
    notation_buffer_free(&bad);
    notation_signer_free(&untrusted);
}

static void test_layout_artifact(const notation_verifier *verifier, const notation_signer *signer,
                                 const char *layout, const char *untrusted_layout) {
    notation_target *target = NULL;
    CHECK_OK(notation_target_new_oci_layout(layout, "v1", "local/tests", &target));
    notation_verification_result *result = NULL;
    CHECK_OK(notation_verification_result_new(&result));
    CHECK_RC(notation_verifier_verify_artifact(verifier, target, NULL, result),
             NOTATION_RESULT_NO_SIGNATURE);

    notation_buffer *digest = NULL;
    CHECK_OK(notation_signer_sign_artifact(signer, target, NULL, &digest));
    const uint8_t *digest_data = NULL;
    size_t digest_len = 0;
    CHECK_OK(notation_buffer_data(digest, &digest_data, &digest_len));

    notation_signature_list *list = NULL;
    CHECK_OK(notation_target_list_signatures(target, &list));
    size_t count = 0;
    CHECK_OK(notation_signature_list_count(list, &count));
    CHECK(count == 1);
    char text[256];
    size_t needed = 0;
    CHECK_OK(notation_signature_list_digest(list, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, (const char *)digest_data) == 0);
    notation_signature_list_free(&list);

    CHECK_OK(notation_verifier_verify_artifact(verifier, target, NULL, result));
    CHECK_OK(notation_verification_result_signature_digest(result, text, sizeof text, &needed));
    CHECK(strcmp(text, (const char *)digest_data) == 0);
    CHECK_OK(notation_verification_result_artifact_digest(result, text, sizeof text, &needed));
    CHECK(strcmp(text, "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9") ==
          0);
    CHECK_OK(notation_verification_result_check_count(result, &count));
    CHECK(count == 5);
    notation_target_free(&target);
    notation_buffer_free(&digest);

    /* Only an untrusted signature: verification fails. */
    notation_signer *untrusted = make_signer("self-signed.key", "self-signed.crt");
    CHECK_OK(notation_target_new_oci_layout(untrusted_layout, "v1", "local/tests", &target));
    CHECK_OK(notation_signer_sign_artifact(untrusted, target, NULL, NULL));
    CHECK_RC(notation_verifier_verify_artifact(verifier, target, NULL, result),
             NOTATION_RESULT_VERIFICATION_FAILED);
    CHECK_OK(notation_verification_result_signature_failure_count(result, &count));
    CHECK(count == 1);
    notation_target_free(&target);
    notation_target_free(&target);
    notation_signer_free(&untrusted);
    notation_verification_result_free(&result);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s <pki-dir> <oci-layout-dir> <second-oci-layout-dir>\n",
                argv[0]);
        return 2;
    }
    pki_dir = argv[1];
    notation_config *config = make_config();
    notation_verifier *verifier = NULL;
    CHECK_OK(notation_verifier_new(config, &verifier));
    notation_signer *signer = make_signer("rsa-2048.key", "rsa-2048.chain.pem");

    test_version_and_text();
    test_blob_passes_with_every_check(verifier, signer);
    test_tampered_blob_fails(verifier, signer);
    test_untrusted_signer_fails_authenticity(verifier);
    test_hostile_calls(verifier);
    test_threads_share_one_verifier(verifier, signer);
    test_layout_artifact(verifier, signer, argv[2], argv[3]);

    notation_signer_free(&signer);
    notation_verifier_free(&verifier);
    notation_config_free(&config);
    printf("%d passed, %d failed\n", passed_count, failed_count);
    return failed_count == 0 ? 0 : 1;
}
