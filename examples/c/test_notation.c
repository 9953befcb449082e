/*
 * test_notation.c: C tests of libnotation, run by `make check` plainly and
 * under valgrind, linked against the shared and the static library.
 *
 *   test_notation <pki-dir> <oci-layout-dir> <second-oci-layout-dir>
 *                 [<test-plugin.py> <scratch-dir> [<plugin-signed-blob>]]
 *
 * Both layouts are writable copies of the conformance layout `e2e`. With
 * the repository's Python test plugin (testdata/plugin/test-plugin.py;
 * python3 and openssl on PATH) it also signs and verifies with plugins,
 * installing them under <scratch-dir>; <plugin-signed-blob> is a blob whose
 * signature, <blob>.jws.sig, requires the verification plugin
 * com.example.verifier (notation-ffi/tests/c.rs makes it: the C API cannot
 * ask for one).
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    "\"name\":\"tests\",\"registryScopes\":[\"local/tests\",\"localhost:1/down\"],"
    "\"signatureVerification\":{\"level\":\"strict\"},"
    "\"trustStores\":[\"ca:test\"],\"trustedIdentities\":[\"*\"]},{"
    "\"name\":\"skipped\",\"registryScopes\":[\"local/skipped\"],"
    "\"signatureVerification\":{\"level\":\"skip\"}}]}";

static const char BLOB_POLICY[] =
    "{\"version\":\"1.0\",\"trustPolicies\":[{"
    "\"name\":\"tests\",\"signatureVerification\":{\"level\":\"strict\"},"
    "\"trustStores\":[\"ca:test\"],\"trustedIdentities\":[\"*\"],\"globalPolicy\":true},{"
    "\"name\":\"audit\",\"signatureVerification\":{\"level\":\"audit\"},"
    "\"trustStores\":[\"ca:test\"],\"trustedIdentities\":[\"*\"]}]}";

/* Reads a whole file into a malloc'ed, NUL-terminated buffer. */
static unsigned char *read_path(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) {
        size = ftell(f);
    }
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s: not a regular file\n", path);
        exit(2);
    }
    unsigned char *data = malloc((size_t)size + 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    data[size] = 0;
    *len = (size_t)size;
    return data;
}

static unsigned char *read_file(const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", pki_dir, name);
    return read_path(path, len);
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

/* Signs the target's artifact and copies the signature manifest's digest
 * from the list of one signature that signing gives out. */
static void sign_artifact(const notation_signer *signer, notation_target *target,
                          char *digest, size_t digest_len) {
    notation_signature_list *signed_list = NULL;
    CHECK_OK(notation_signer_sign_artifact(signer, target, NULL, &signed_list));
    size_t count = 0;
    size_t needed = 0;
    CHECK_OK(notation_signature_list_count(signed_list, &count));
    CHECK(count == 1);
    CHECK_OK(notation_signature_list_digest(signed_list, 0, digest, digest_len, &needed));
    CHECK(strncmp(digest, "sha256:", 7) == 0);
    notation_signature_list_free(&signed_list);
}

static notation_result verify(const notation_verifier *verifier,
                              const notation_buffer *signature, notation_envelope_format format,
                              const char *blob, const notation_verify_options *options,
                              notation_verdict *result) {
    const uint8_t *sig = NULL;
    size_t sig_len = 0;
    CHECK_OK(notation_buffer_data(signature, &sig, &sig_len));
    return notation_verifier_verify_blob(verifier, sig, sig_len, format, (const uint8_t *)blob,
                                         strlen(blob), options, result);
}

static void test_version_and_text(void) {
    CHECK(strlen(notation_version()) > 0);
    CHECK(notation_abi_version() == NOTATION_ABI_VERSION);
    char name[32];
    size_t name_needed = 0;
    CHECK_OK(notation_check_name(NOTATION_CHECK_AUTHENTIC_TIMESTAMP, name, sizeof name,
                                 &name_needed));
    CHECK(strcmp(name, "authenticTimestamp") == 0 && name_needed == strlen(name) + 1);
    CHECK_OK(notation_check_action_name(NOTATION_CHECK_ACTION_LOG, name, sizeof name,
                                        &name_needed));
    CHECK(strcmp(name, "log") == 0);
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

/* The verified signer: the rsa-2048 leaf, its intermediate and the root. */
static void check_signer_chain(const notation_verdict *verdict) {
    size_t count = 0;
    size_t needed = 0;
    CHECK_OK(notation_verdict_certificate_count(verdict, &count));
    CHECK(count == 3);
    char text[256];
    CHECK_OK(notation_verdict_certificate_subject(verdict, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, "CN=Notation Test Leaf rsa-2048,O=Notary,L=Seattle,ST=WA,C=US") == 0);
    CHECK_OK(notation_verdict_certificate_issuer(verdict, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, "CN=Notation Test Intermediate CA,O=Notary,L=Seattle,ST=WA,C=US") == 0);
    CHECK_OK(notation_verdict_certificate_sha256(verdict, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, "f5ce63c1f34e90f3fd24c681d32bd1a39e0dede70298c3279a5abd1915e4f8d5") == 0);
    int64_t not_before = 0;
    int64_t not_after = 0;
    CHECK_OK(notation_verdict_certificate_validity(verdict, 0, &not_before, &not_after));
    CHECK(not_before == 1795316631 && not_after == 4948916631);
    notation_buffer *der = NULL;
    CHECK_OK(notation_verdict_certificate_der(verdict, 2, &der));
    const uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(notation_buffer_data(der, &bytes, &len));
    CHECK(len > 100 && bytes[0] == 0x30);
    notation_buffer_free(&der);
    CHECK_RC(notation_verdict_certificate_subject(verdict, 3, text, sizeof text, &needed),
             NOTATION_RESULT_INDEX_OUT_OF_RANGE);
}

static void test_blob_passes_with_every_check(const notation_verifier *verifier,
                                              const notation_signer *signer) {
    const notation_envelope_format formats[] = {NOTATION_ENVELOPE_FORMAT_JWS,
                                                NOTATION_ENVELOPE_FORMAT_COSE};
    for (size_t f = 0; f < 2; f++) {
        notation_buffer *signature = sign(signer, "a blob", formats[f]);
        notation_verdict *result = NULL;
        CHECK_OK(notation_verdict_new(&result));
        CHECK_OK(verify(verifier, signature, formats[f], "a blob", NULL, result));
        bool passed = false;
        CHECK_OK(notation_verdict_passed(result, &passed));
        CHECK(passed);
        size_t count = 0;
        CHECK_OK(notation_verdict_check_count(result, &count));
        CHECK(count == 5);
        const notation_check expected[] = {
            NOTATION_CHECK_INTEGRITY, NOTATION_CHECK_AUTHENTICITY, NOTATION_CHECK_EXPIRY,
            NOTATION_CHECK_AUTHENTIC_TIMESTAMP, NOTATION_CHECK_REVOCATION};
        for (size_t i = 0; i < count && i < 5; i++) {
            notation_check kind = 0;
            notation_check_action action = 0;
            bool ok = false;
            CHECK_OK(notation_verdict_check(result, i, &kind, &action, &ok));
            CHECK(kind == expected[i]);
            CHECK(action == NOTATION_CHECK_ACTION_ENFORCE);
            CHECK(ok);
        }
        char digest[128];
        size_t needed = 0;
        CHECK_OK(notation_verdict_payload_digest(result, digest, sizeof digest,
                                                             &needed));
        CHECK(strncmp(digest, "sha256:", 7) == 0);
        uint64_t size = 0;
        CHECK_OK(notation_verdict_payload_size(result, &size));
        CHECK(size == strlen("a blob"));
        CHECK_RC(notation_verdict_failure(result, digest, sizeof digest, &needed),
                 NOTATION_RESULT_NOT_AVAILABLE);
        check_signer_chain(result);
        notation_verdict_free(&result);
        notation_buffer_free(&signature);
    }
}

static void test_tampered_blob_fails(const notation_verifier *verifier,
                                     const notation_signer *signer) {
    notation_buffer *signature = sign(signer, "original", NOTATION_ENVELOPE_FORMAT_JWS);
    notation_verdict *result = NULL;
    CHECK_OK(notation_verdict_new(&result));
    CHECK_RC(verify(verifier, signature, NOTATION_ENVELOPE_FORMAT_JWS, "tampered", NULL, result),
             NOTATION_RESULT_ARTIFACT_MISMATCH);
    bool passed = true;
    CHECK_OK(notation_verdict_passed(result, &passed));
    CHECK(!passed);
    char text[512];
    size_t needed = 0;
    CHECK_OK(notation_verdict_failure(result, text, sizeof text, &needed));
    CHECK(strcmp(text, "integrity check failed. signature does not match the given blob") == 0);
    /* The signature itself verified: every check passed. */
    size_t count = 0;
    CHECK_OK(notation_verdict_check_count(result, &count));
    CHECK(count == 5);
    notation_verdict_free(&result);
    notation_buffer_free(&signature);
}

static void test_untrusted_signer_fails_authenticity(const notation_verifier *verifier) {
    notation_signer *untrusted = make_signer("self-signed.key", "self-signed.crt");
    notation_buffer *signature = sign(untrusted, "blob", NOTATION_ENVELOPE_FORMAT_COSE);
    notation_verdict *result = NULL;
    CHECK_OK(notation_verdict_new(&result));
    CHECK_RC(verify(verifier, signature, NOTATION_ENVELOPE_FORMAT_COSE, "blob", NULL, result),
             NOTATION_RESULT_VERIFICATION_FAILED);
    size_t count = 0;
    CHECK_OK(notation_verdict_check_count(result, &count));
    CHECK(count == 2);
    notation_check kind = 0;
    notation_check_action action = 0;
    bool ok = true;
    CHECK_OK(notation_verdict_check(result, 1, &kind, &action, &ok));
    CHECK(kind == NOTATION_CHECK_AUTHENTICITY);
    CHECK(action == NOTATION_CHECK_ACTION_ENFORCE);
    CHECK(!ok);
    char text[512];
    size_t needed = 0;
    CHECK_OK(notation_verdict_check_failure(result, 1, text, sizeof text, &needed));
    CHECK(strcmp(text,
                 "the signature's certificate chain does not contain any trusted certificate") ==
          0);
    CHECK_RC(notation_verdict_check(result, 2, &kind, &action, &ok),
             NOTATION_RESULT_INDEX_OUT_OF_RANGE);

    /* The audit statement only logs it. */
    notation_verify_options *options = NULL;
    CHECK_OK(notation_verify_options_new(&options));
    CHECK_OK(notation_verify_options_set_policy_name(options, "audit"));
    CHECK_OK(verify(verifier, signature, NOTATION_ENVELOPE_FORMAT_COSE, "blob", options, result));
    CHECK_OK(notation_verdict_check(result, 1, &kind, &action, &ok));
    CHECK(action == NOTATION_CHECK_ACTION_LOG && !ok);
    /* It passed, but the signer's chain is not verified: not given out. */
    CHECK_RC(notation_verdict_certificate_count(result, &count), NOTATION_RESULT_NOT_AVAILABLE);

    notation_verify_options_free(&options);
    notation_verdict_free(&result);
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
    char message[256] = "";
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
    notation_verdict *result = NULL;
    if (notation_verdict_new(&result) != NOTATION_RESULT_OK) {
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
    notation_verdict_free(&result);
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
    notation_verdict *result = NULL;
    CHECK_OK(notation_verdict_new(&result));
    CHECK_RC(notation_verifier_verify_artifact(verifier, target, NULL, result),
             NOTATION_RESULT_NO_SIGNATURE);

    char digest_data[128] = "";
    sign_artifact(signer, target, digest_data, sizeof digest_data);

    notation_signature_list *list = NULL;
    CHECK_OK(notation_target_list_signatures(target, &list));
    size_t count = 0;
    CHECK_OK(notation_signature_list_count(list, &count));
    CHECK(count == 1);
    char text[256];
    size_t needed = 0;
    CHECK_OK(notation_signature_list_digest(list, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, digest_data) == 0);
    notation_signature_list_free(&list);

    CHECK_OK(notation_verifier_verify_artifact(verifier, target, NULL, result));
    CHECK_OK(notation_verdict_signature_digest(result, text, sizeof text, &needed));
    CHECK(strcmp(text, digest_data) == 0);
    CHECK_OK(notation_verdict_artifact_digest(result, text, sizeof text, &needed));
    CHECK(strcmp(text, "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9") ==
          0);
    CHECK_OK(notation_verdict_check_count(result, &count));
    CHECK(count == 5);
    notation_target_free(&target);

    /* Only an untrusted signature: verification fails. */
    notation_signer *untrusted = make_signer("self-signed.key", "self-signed.crt");
    CHECK_OK(notation_target_new_oci_layout(untrusted_layout, "v1", "local/tests", &target));
    CHECK_OK(notation_signer_sign_artifact(untrusted, target, NULL, NULL));
    CHECK_RC(notation_verifier_verify_artifact(verifier, target, NULL, result),
             NOTATION_RESULT_VERIFICATION_FAILED);
    CHECK_OK(notation_verdict_signature_failure_count(result, &count));
    CHECK(count == 1);
    /* Refused by the thumbprint pre-filter: an authenticity failure with the
     * reason, and no verified signer. */
    CHECK_OK(notation_verdict_check_count(result, &count));
    CHECK(count == 1);
    notation_check kind = 0;
    notation_check_action action = 0;
    bool passed = true;
    CHECK_OK(notation_verdict_check(result, 0, &kind, &action, &passed));
    CHECK(kind == NOTATION_CHECK_AUTHENTICITY && action == NOTATION_CHECK_ACTION_ENFORCE && !passed);
    CHECK_OK(notation_verdict_check_failure(result, 0, text, sizeof text, &needed));
    CHECK(strstr(text, "match no certificate trusted by trust policy \"tests\"") != NULL);
    CHECK_RC(notation_verdict_certificate_count(result, &count), NOTATION_RESULT_NOT_AVAILABLE);
    notation_target_free(&target);
    notation_target_free(&target);
    notation_signer_free(&untrusted);
    notation_verdict_free(&result);
}

/* ------------------------------------------------------------ plugins */

/* snprintf into an array, failing the run if it does not fit. */
#define FORMAT(buf, ...)                                                  \
    do {                                                                  \
        int n_ = snprintf(buf, sizeof buf, __VA_ARGS__);                  \
        if (n_ < 0 || (size_t)n_ >= sizeof buf) {                         \
            fprintf(stderr, "%s:%d: text too long\n", __FILE__, __LINE__); \
            exit(2);                                                      \
        }                                                                 \
    } while (0)

/* Several references in one call, after test_layout_artifact: layout1:v1 is
 * signed by the trusted key, layout2:v1 only by an untrusted one. */
static void test_verify_many(const notation_verifier *verifier, const char *layout,
                             const char *untrusted_layout) {
    char refs[6][4200];
    FORMAT(refs[0], "%s:v1", layout);
    FORMAT(refs[1], "%s:v1", untrusted_layout);
    FORMAT(refs[2], "%s:no-such-tag", layout);
    FORMAT(refs[3], "%s@sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9",
           layout);
    FORMAT(refs[4], "%s/no-such-layout:v1", layout);
    FORMAT(refs[5], "%s", "no-tag-or-digest");
    const char *references[6];
    for (int i = 0; i < 6; i++) references[i] = refs[i];
    const notation_batch_outcome expected[6] = {
        NOTATION_BATCH_OUTCOME_VERIFIED, NOTATION_BATCH_OUTCOME_FAILED,
        NOTATION_BATCH_OUTCOME_ERROR,    NOTATION_BATCH_OUTCOME_VERIFIED,
        NOTATION_BATCH_OUTCOME_ERROR,    NOTATION_BATCH_OUTCOME_ERROR,
    };

    notation_batch_report *report = NULL;
    CHECK_OK(notation_verifier_verify_many(verifier, NULL, references, 6, "local/tests", NULL, 4,
                                           &report));
    size_t count = 0;
    CHECK_OK(notation_batch_report_count(report, &count));
    CHECK(count == 6);
    bool passed = true;
    CHECK_OK(notation_batch_report_passed(report, &passed));
    CHECK(!passed);
    char text[4200];
    size_t needed = 0;
    for (size_t i = 0; i < 6; i++) {
        notation_batch_outcome outcome = 0;
        CHECK_OK(notation_batch_report_outcome(report, i, &outcome));
        CHECK(outcome == expected[i]);
        CHECK_OK(notation_batch_report_reference(report, i, text, sizeof text, &needed));
        CHECK(strcmp(text, references[i]) == 0);
        notation_result message_rc =
            notation_batch_report_message(report, i, text, sizeof text, &needed);
        CHECK(message_rc == (outcome == NOTATION_BATCH_OUTCOME_VERIFIED
                                 ? NOTATION_RESULT_NOT_AVAILABLE
                                 : NOTATION_RESULT_OK));
    }
    CHECK_OK(notation_batch_report_digest(report, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9") ==
          0);
    CHECK_OK(notation_batch_report_policy_name(report, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, "tests") == 0);
    CHECK_OK(notation_batch_report_signer_subject(report, 3, text, sizeof text, &needed));
    CHECK(strcmp(text, "CN=Notation Test Leaf rsa-2048,O=Notary,L=Seattle,ST=WA,C=US") == 0);
    CHECK_OK(notation_batch_report_signer_sha256(report, 0, text, sizeof text, &needed));
    CHECK(strlen(text) == 64);
    CHECK_OK(notation_batch_report_signature_digest(report, 0, text, sizeof text, &needed));
    CHECK(strncmp(text, "sha256:", 7) == 0);
    CHECK_RC(notation_batch_report_signer_subject(report, 1, text, sizeof text, &needed),
             NOTATION_RESULT_NOT_AVAILABLE);
    CHECK_RC(notation_batch_report_digest(report, 4, text, sizeof text, &needed),
             NOTATION_RESULT_NOT_AVAILABLE);
    CHECK_OK(notation_batch_report_message(report, 1, text, sizeof text, &needed));
    CHECK(strstr(text, "authenticity: ") == text);
    CHECK_RC(notation_batch_report_outcome(report, 6, &(notation_batch_outcome){0}),
             NOTATION_RESULT_INDEX_OUT_OF_RANGE);
    /* The result of the untrusted layout as JSON: the pre-filtered signature. */
    CHECK_OK(notation_batch_report_result_json(report, 1, text, sizeof text, &needed));
    CHECK(strstr(text, "\"outcome\":\"failed\"") != NULL);
    CHECK(strstr(text, "\"thumbprintSkipped\":{\"count\":1,") != NULL);
    /* The whole report, in a buffer of the size asked for. */
    CHECK_RC(notation_batch_report_json(report, NULL, 0, &needed),
             NOTATION_RESULT_BUFFER_TOO_SMALL);
    char *json = malloc(needed);
    CHECK(json != NULL);
    if (json != NULL) {
        CHECK_OK(notation_batch_report_json(report, json, needed, &needed));
        CHECK(strstr(json, "\"version\":\"1.1\"") != NULL);
        CHECK(strstr(json, "\"summary\":{\"total\":6,\"verified\":2,\"skipped\":0,\"failed\":1,"
                           "\"unsigned\":0,\"error\":3}") != NULL);
        free(json);
    }
    notation_batch_report_free(&report);
    notation_batch_report_free(&report);
    CHECK(report == NULL);

    /* Registry references: a registry that is down is one error among the
     * others; a scope the policy skips passes without a registry. */
    const char *remote[2] = {"localhost:1/down:v1", "local/skipped:v1"};
    CHECK_OK(notation_verifier_verify_many(verifier, NULL, remote, 2, NULL, NULL, 0, &report));
    notation_batch_outcome outcome = 0;
    CHECK_OK(notation_batch_report_outcome(report, 0, &outcome));
    CHECK(outcome == NOTATION_BATCH_OUTCOME_ERROR);
    CHECK_OK(notation_batch_report_message(report, 0, text, sizeof text, &needed));
    CHECK(strstr(text, "failed to get manifest descriptor") != NULL);
    CHECK_OK(notation_batch_report_outcome(report, 1, &outcome));
    CHECK(outcome == NOTATION_BATCH_OUTCOME_SKIPPED);
    notation_batch_report_free(&report);

    /* Hostile calls: nothing is written, nothing leaks. */
    CHECK_RC(notation_verifier_verify_many(verifier, NULL, NULL, 1, NULL, NULL, 0, &report),
             NOTATION_RESULT_NULL_PARAMETER);
    const char *with_null[2] = {refs[0], NULL};
    CHECK_RC(notation_verifier_verify_many(verifier, NULL, with_null, 2, "s", NULL, 0, &report),
             NOTATION_RESULT_NULL_PARAMETER);
    const char *bad_utf8[1] = {"\xff"};
    CHECK_RC(notation_verifier_verify_many(verifier, NULL, bad_utf8, 1, NULL, NULL, 0, &report),
             NOTATION_RESULT_INVALID_UTF8);
    CHECK_RC(notation_verifier_verify_many(verifier, NULL, references, 6, NULL, NULL, 0, NULL),
             NOTATION_RESULT_NULL_PARAMETER);
    CHECK(report == NULL);
    CHECK_OK(notation_verifier_verify_many(verifier, NULL, NULL, 0, NULL, NULL, 0, &report));
    CHECK_OK(notation_batch_report_count(report, &count));
    CHECK(count == 0);
    CHECK_OK(notation_batch_report_passed(report, &passed));
    CHECK(passed);
    notation_batch_report_free(&report);
}

static void write_path(const char *path, const void *data, size_t len, mode_t mode) {
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    if (chmod(path, mode) != 0) {
        perror(path);
        exit(2);
    }
}

/* Installs the test plugin as <plugins>/<name>/notation-<name>. */
static void install_plugin(const char *script, const char *plugins, const char *name) {
    char path[4096];
    mkdir(plugins, 0755);
    FORMAT(path, "%s/%s", plugins, name);
    mkdir(path, 0755);
    size_t len = 0;
    unsigned char *code = read_path(script, &len);
    FORMAT(path, "%s/%s/notation-%s", plugins, name, name);
    write_path(path, code, len, 0755);
    free(code);
}

static void set_behavior(const char *plugins, const char *name, const char *behavior) {
    char path[4096];
    FORMAT(path, "%s/%s/behavior.json", plugins, name);
    write_path(path, behavior, strlen(behavior), 0644);
}

/* The plugin's call log (one JSON object per call), malloc'ed. */
static char *plugin_calls(const char *plugins, const char *name) {
    char path[4096];
    FORMAT(path, "%s/%s/calls.jsonl", plugins, name);
    size_t len = 0;
    return (char *)read_path(path, &len);
}

static void clear_calls(const char *plugins, const char *name) {
    char path[4096];
    FORMAT(path, "%s/%s/calls.jsonl", plugins, name);
    remove(path);
}

static size_t count_of(const char *haystack, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

#define METADATA(name, capability)                                                          \
    "{\"response\":{\"name\":\"" name "\",\"description\":\"C test plugin\","                \
    "\"version\":\"1.0.0\",\"url\":\"https://example.com\","                                  \
    "\"supportedContractVersions\":[\"1.0\"],\"capabilities\":[\"" capability "\"]}}"

static void set_raw_behavior(const char *plugins) {
    char buf[8192];
    FORMAT(buf,
             "{\"get-plugin-metadata\":" METADATA("com.example.c", "SIGNATURE_GENERATOR.RAW") ","
             "\"describe-key\":{\"response\":{\"keyId\":\"c-key\",\"keySpec\":\"EC-384\"}},"
             "\"generate-signature\":{\"sign\":{\"key\":\"%s/ec-384.key\","
             "\"chain\":\"%s/ec-384.chain.pem\"}}}",
             pki_dir, pki_dir);
    set_behavior(plugins, "com.example.c", buf);
}

/* A RAW plugin key signs a blob and an artifact that verify; the sign
 * options' plugin configuration reaches the plugin; plugin errors become
 * codes with the plugin's message. */
static void test_plugin_signing(const char *script, const char *plugins,
                                const char *untrusted_layout) {
    notation_config *config = make_config();
    notation_signer *signer = NULL;
    char text[1024];
    size_t needed = 0;

    /* No plugin directory yet: plugins are disabled. */
    CHECK_RC(notation_config_plugin_dir(config, text, sizeof text, &needed),
             NOTATION_RESULT_NOT_AVAILABLE);
    CHECK_RC(notation_signer_new_plugin(config, "com.example.c", "c-key", &signer),
             NOTATION_RESULT_PLUGIN_KEY_UNSUPPORTED);
    CHECK(signer == NULL);

    install_plugin(script, plugins, "com.example.c");
    set_raw_behavior(plugins);
    CHECK_OK(notation_config_set_plugin_dir(config, plugins));
    CHECK_OK(notation_config_plugin_dir(config, text, sizeof text, &needed));
    CHECK(strcmp(text, plugins) == 0);
    notation_verifier *verifier = NULL;
    CHECK_OK(notation_verifier_new(config, &verifier));

    CHECK_RC(notation_signer_new_plugin(NULL, "com.example.c", "c-key", &signer),
             NOTATION_RESULT_NULL_PARAMETER);
    CHECK_RC(notation_signer_new_plugin(config, "com.example.absent", "k", &signer),
             NOTATION_RESULT_PLUGIN_NOT_FOUND);
    CHECK_RC(notation_signer_new_plugin(config, "../com.example.c", "c-key", &signer),
             NOTATION_RESULT_INVALID_ARGUMENT);
    CHECK(signer == NULL);
    CHECK_OK(notation_signer_new_plugin(config, "com.example.c", "c-key", &signer));

    /* A blob, in both formats, with plugin configuration. */
    const notation_envelope_format formats[] = {NOTATION_ENVELOPE_FORMAT_JWS,
                                                NOTATION_ENVELOPE_FORMAT_COSE};
    for (size_t f = 0; f < 2; f++) {
        clear_calls(plugins, "com.example.c");
        notation_sign_options *options = NULL;
        CHECK_OK(notation_sign_options_new(&options));
        CHECK_OK(notation_sign_options_set_format(options, formats[f]));
        CHECK_OK(notation_sign_options_add_plugin_config(options, "region", "c-land"));
        CHECK_RC(notation_sign_options_add_plugin_config(options, "region", "again"),
                 NOTATION_RESULT_INVALID_ARGUMENT);
        notation_buffer *signature = NULL;
        CHECK_OK(notation_signer_sign_blob(signer, (const uint8_t *)"plugin blob", 11, options,
                                           &signature));
        char *calls = plugin_calls(plugins, "com.example.c");
        CHECK(count_of(calls, "\"pluginConfig\": {\"region\": \"c-land\"}") == 3);
        CHECK(strstr(calls, "\"hashAlgorithm\": \"SHA-384\"") != NULL);
        free(calls);
        notation_verdict *result = NULL;
        CHECK_OK(notation_verdict_new(&result));
        CHECK_OK(verify(verifier, signature, formats[f], "plugin blob", NULL, result));
        notation_verdict_free(&result);
        notation_buffer_free(&signature);
        notation_sign_options_free(&options);
    }

    /* An artifact whose only other signature is untrusted: the plugin's
     * signature is the one that verifies. */
    notation_target *target = NULL;
    CHECK_OK(notation_target_new_oci_layout(untrusted_layout, "v1", "local/tests", &target));
    char digest_data[128] = "";
    sign_artifact(signer, target, digest_data, sizeof digest_data);
    notation_verdict *result = NULL;
    CHECK_OK(notation_verdict_new(&result));
    CHECK_OK(notation_verifier_verify_artifact(verifier, target, NULL, result));
    CHECK_OK(notation_verdict_signature_digest(result, text, sizeof text, &needed));
    CHECK(strcmp(text, digest_data) == 0);
    notation_verdict_free(&result);
    notation_target_free(&target);

    /* The plugin refuses: its message is the last error (as the reference's
       blob signing gives it, without naming the plugin). */
    set_behavior(plugins, "com.example.c",
                 "{\"get-plugin-metadata\":" METADATA("com.example.c", "SIGNATURE_GENERATOR.RAW") ","
                 "\"describe-key\":{\"exit\":1,\"stderr\":{\"errorCode\":\"ACCESS_DENIED\","
                 "\"errorMessage\":\"the HSM is asleep\"}}}");
    notation_buffer *signature = NULL;
    CHECK_RC(notation_signer_sign_blob(signer, (const uint8_t *)"x", 1, NULL, &signature),
             NOTATION_RESULT_PLUGIN_FAILED);
    CHECK(signature == NULL);
    CHECK_OK(notation_signer_last_error(signer, text, sizeof text, &needed));
    CHECK(strcmp(text, "the HSM is asleep") == 0);
    /* A verifier-only plugin cannot sign. */
    set_behavior(plugins, "com.example.c",
                 "{\"get-plugin-metadata\":" METADATA("com.example.c",
                                                      "SIGNATURE_VERIFIER.TRUSTED_IDENTITY") "}");
    CHECK_RC(notation_signer_sign_blob(signer, (const uint8_t *)"x", 1, NULL, &signature),
             NOTATION_RESULT_PLUGIN_CAPABILITY_MISSING);

    CHECK_OK(notation_config_set_plugin_dir(config, NULL));
    CHECK_RC(notation_config_plugin_dir(config, text, sizeof text, &needed),
             NOTATION_RESULT_NOT_AVAILABLE);
    notation_signer_free(&signer);
    notation_verifier_free(&verifier);
    notation_config_free(&config);
}

/* A signature that requires a verification plugin: the plugin decides, its
 * reason reaches the result, and without plugins it is inconclusive. */
static void test_verification_plugin(const char *script, const char *plugins,
                                     const char *blob_path) {
    size_t blob_len = 0;
    size_t sig_len = 0;
    char sig_path[4096];
    FORMAT(sig_path, "%s.jws.sig", blob_path);
    unsigned char *blob = read_path(blob_path, &blob_len);
    unsigned char *sig = read_path(sig_path, &sig_len);
    install_plugin(script, plugins, "com.example.verifier");
#define VERIFIER_BEHAVIOR(result)                                                            \
    "{\"get-plugin-metadata\":" METADATA("com.example.verifier",                              \
                                         "SIGNATURE_VERIFIER.TRUSTED_IDENTITY") ","           \
    "\"verify-signature\":{\"response\":{\"verificationResults\":{"                           \
    "\"SIGNATURE_VERIFIER.TRUSTED_IDENTITY\":" result "},\"processedAttributes\":[]}}}"
    set_behavior(plugins, "com.example.verifier", VERIFIER_BEHAVIOR("{\"success\":true}"));

    notation_config *config = make_config();
    CHECK_OK(notation_config_set_plugin_dir(config, plugins));
    notation_verifier *verifier = NULL;
    CHECK_OK(notation_verifier_new(config, &verifier));
    notation_verify_options *options = NULL;
    CHECK_OK(notation_verify_options_new(&options));
    CHECK_OK(notation_verify_options_add_plugin_config(options, "tenant", "c"));
    notation_verdict *result = NULL;
    CHECK_OK(notation_verdict_new(&result));

    CHECK_OK(notation_verifier_verify_blob(verifier, sig, sig_len, NOTATION_ENVELOPE_FORMAT_JWS,
                                           blob, blob_len, options, result));
    char *calls = plugin_calls(plugins, "com.example.verifier");
    CHECK(count_of(calls, "\"pluginConfig\": {\"tenant\": \"c\"}") == 2);
    free(calls);

    set_behavior(plugins, "com.example.verifier",
                 VERIFIER_BEHAVIOR("{\"success\":false,\"reason\":\"unknown C team\"}"));
    CHECK_RC(notation_verifier_verify_blob(verifier, sig, sig_len, NOTATION_ENVELOPE_FORMAT_JWS,
                                           blob, blob_len, options, result),
             NOTATION_RESULT_VERIFICATION_FAILED);
    const char *reason = "trusted identify verification by plugin \"com.example.verifier\" "
                         "failed with reason \"unknown C team\"";
    char text[1024];
    size_t needed = 0;
    CHECK_OK(notation_verdict_failure(result, text, sizeof text, &needed));
    CHECK(strcmp(text, reason) == 0);
    CHECK_OK(notation_verdict_check_failure(result, 1, text, sizeof text, &needed));
    CHECK(strcmp(text, reason) == 0);

    set_behavior(plugins, "com.example.verifier",
                 "{\"get-plugin-metadata\":" METADATA("com.example.verifier",
                                                      "SIGNATURE_VERIFIER.TRUSTED_IDENTITY") ","
                 "\"verify-signature\":{\"exit\":9}}");
    CHECK_RC(notation_verifier_verify_blob(verifier, sig, sig_len, NOTATION_ENVELOPE_FORMAT_JWS,
                                           blob, blob_len, options, result),
             NOTATION_RESULT_VERIFICATION_PLUGIN_FAILED);

    /* Without plugins: inconclusive. */
    notation_verifier *without = NULL;
    CHECK_OK(notation_config_set_plugin_dir(config, NULL));
    CHECK_OK(notation_verifier_new(config, &without));
    CHECK_RC(notation_verifier_verify_blob(without, sig, sig_len, NOTATION_ENVELOPE_FORMAT_JWS,
                                           blob, blob_len, options, result),
             NOTATION_RESULT_VERIFICATION_INCONCLUSIVE);

    notation_verdict_free(&result);
    notation_verify_options_free(&options);
    notation_verifier_free(&without);
    notation_verifier_free(&verifier);
    notation_config_free(&config);
    free(blob);
    free(sig);
}

/* ------------------------------------------------- recursive and copy */

#define E2E_DIGEST "sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9"

struct copy_progress {
    unsigned long long planned;
    int blobs;
    int manifests;
};

static void on_copy_progress(void *user_data, uint32_t event, const char *digest,
                             uint64_t done, uint64_t total) {
    struct copy_progress *p = user_data;
    (void)total;
    if (event == NOTATION_COPY_EVENT_PLANNED) {
        p->planned = (unsigned long long)done;
    } else if (event == NOTATION_COPY_EVENT_BLOB_DONE && strncmp(digest, "sha256:", 7) == 0) {
        p->blobs++;
    } else if (event == NOTATION_COPY_EVENT_MANIFEST_DONE) {
        p->manifests++;
    }
}

static uint64_t copy_count(const notation_copy_report *report, notation_copy_count what) {
    uint64_t value = 0;
    CHECK_OK(notation_copy_report_count(report, what, &value));
    return value;
}

/* Recursive signing and verification of a manifest that is no index (the
 * manifest alone), then a copy of it with its signatures into a new layout,
 * where it verifies. Runs after test_layout_artifact signed `layout`. */
static void test_recursive_and_copy(const notation_verifier *verifier,
                                    const notation_signer *signer, const char *layout) {
    notation_target *target = NULL;
    CHECK_OK(notation_target_new_oci_layout(layout, "v1", "local/tests", &target));
    notation_sign_options *sign_options = NULL;
    CHECK_OK(notation_sign_options_new(&sign_options));
    CHECK_OK(notation_sign_options_set_recursive(sign_options, true));
    notation_signature_list *list = NULL;
    CHECK_OK(notation_signer_sign_artifact(signer, target, sign_options, &list));
    size_t count = 0;
    CHECK_OK(notation_signature_list_count(list, &count));
    CHECK(count == 1);
    char text[256];
    size_t needed = 0;
    CHECK_OK(notation_signature_list_subject_digest(list, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, E2E_DIGEST) == 0);
    CHECK_RC(notation_signature_list_subject_digest(list, 1, text, sizeof text, &needed),
             NOTATION_RESULT_INDEX_OUT_OF_RANGE);
    notation_signature_list_free(&list);
    notation_sign_options_free(&sign_options);

    notation_verify_options *verify_options = NULL;
    CHECK_OK(notation_verify_options_new(&verify_options));
    CHECK_OK(notation_verify_options_set_recursive(verify_options, true));
    notation_verdict *verdict = NULL;
    CHECK_OK(notation_verdict_new(&verdict));
    CHECK_OK(notation_verifier_verify_artifact(verifier, target, verify_options, verdict));
    CHECK_OK(notation_verdict_manifest_count(verdict, &count));
    CHECK(count == 1);
    notation_result code = NOTATION_RESULT_PANIC;
    CHECK_OK(notation_verdict_manifest_code(verdict, 0, &code));
    CHECK(code == NOTATION_RESULT_OK);
    CHECK_OK(notation_verdict_manifest_digest(verdict, 0, text, sizeof text, &needed));
    CHECK(strcmp(text, E2E_DIGEST) == 0);
    CHECK_OK(notation_verdict_manifest_failure(verdict, 0, text, sizeof text, &needed));
    CHECK(text[0] == '\0');
    notation_target_free(&target);

    char source[4096], destination[4096], copied[4096];
    FORMAT(source, "%s:v1", layout);
    FORMAT(copied, "%s-copied", layout);
    FORMAT(destination, "%s:copied", copied);
    struct copy_progress progress = {0, 0, 0};
    notation_copy_options *copy_options = NULL;
    CHECK_OK(notation_copy_options_new(&copy_options));
    CHECK_OK(notation_copy_options_set_all_referrers(copy_options, true));
    CHECK_OK(notation_copy_options_set_progress(copy_options, on_copy_progress, &progress));
    notation_copy_report *report = NULL;
    CHECK_OK(notation_copy(NULL, NOTATION_STORE_KIND_OCI_LAYOUT, source,
                           NOTATION_STORE_KIND_OCI_LAYOUT, destination, copy_options, &report));
    CHECK_OK(notation_copy_report_digest(report, text, sizeof text, &needed));
    CHECK(strcmp(text, E2E_DIGEST) == 0);
    CHECK_OK(notation_copy_report_tag(report, text, sizeof text, &needed));
    CHECK(strcmp(text, "copied") == 0);
    uint64_t signatures = copy_count(report, NOTATION_COPY_COUNT_SIGNATURES);
    uint64_t manifests = copy_count(report, NOTATION_COPY_COUNT_MANIFESTS_COPIED);
    CHECK(signatures >= 2);
    CHECK(manifests == signatures + 1);
    CHECK(copy_count(report, NOTATION_COPY_COUNT_BYTES) > 0);
    CHECK((uint64_t)progress.manifests == manifests);
    CHECK(progress.planned == manifests);
    CHECK(progress.blobs > 0);
    CHECK_RC(notation_copy_report_count(report, 99, &signatures), NOTATION_RESULT_INVALID_ARGUMENT);
    notation_copy_report_free(&report);
    notation_copy_report_free(&report);
    CHECK_RC(notation_copy(NULL, 7, source, NOTATION_STORE_KIND_OCI_LAYOUT, destination, NULL,
                           NULL),
             NOTATION_RESULT_INVALID_ARGUMENT);
    notation_copy_options_free(&copy_options);
    notation_copy_options_free(&copy_options);

    CHECK_OK(notation_target_new_oci_layout(copied, "copied", "local/tests", &target));
    CHECK_OK(notation_verifier_verify_artifact(verifier, target, verify_options, verdict));
    notation_target_free(&target);
    notation_verify_options_free(&verify_options);
    notation_verdict_free(&verdict);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr,
                "usage: %s <pki-dir> <oci-layout-dir> <second-oci-layout-dir> "
                "[<test-plugin.py> <scratch-dir> [<plugin-signed-blob>]]\n",
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
    test_recursive_and_copy(verifier, signer, argv[2]);
    test_verify_many(verifier, argv[2], argv[3]);
    if (argc >= 6) {
        char plugins[4096];
        FORMAT(plugins, "%s/plugins", argv[5]);
        test_plugin_signing(argv[4], plugins, argv[3]);
        if (argc >= 7) {
            test_verification_plugin(argv[4], plugins, argv[6]);
        } else {
            printf("no plugin-signed blob given: verification plugin tests not run\n");
        }
    } else {
        printf("no test plugin given: plugin tests not run\n");
    }

    notation_signer_free(&signer);
    notation_verifier_free(&verifier);
    notation_config_free(&config);
    printf("%d passed, %d failed\n", passed_count, failed_count);
    return failed_count == 0 ? 0 : 1;
}
