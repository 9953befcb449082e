/*
 * example.c: sign and verify a blob and an artifact in an OCI image layout
 * with libnotation, printing every verification check.
 *
 *   example <pki-dir> <oci-layout-dir>
 *
 * <pki-dir> holds rsa-2048.key, rsa-2048.chain.pem and root.crt (the
 * repository's testdata/pki); <oci-layout-dir> is a writable OCI layout with
 * a manifest tagged v1 (a copy of the conformance layout `e2e`). The
 * configuration is built in memory; notation_config_open_dir() reads a
 * NOTATION_CONFIG directory instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notation.h"

static const char OCI_POLICY[] =
    "{\"version\":\"1.0\",\"trustPolicies\":[{"
    "\"name\":\"example-images\","
    "\"registryScopes\":[\"local/example\"],"
    "\"signatureVerification\":{\"level\":\"strict\"},"
    "\"trustStores\":[\"ca:example\"],"
    "\"trustedIdentities\":[\"*\"]}]}";

static const char BLOB_POLICY[] =
    "{\"version\":\"1.0\",\"trustPolicies\":[{"
    "\"name\":\"example-blobs\","
    "\"signatureVerification\":{\"level\":\"strict\"},"
    "\"trustStores\":[\"ca:example\"],"
    "\"trustedIdentities\":[\"x509.subject: C=US, ST=WA, L=Seattle, O=Notary, "
    "CN=Notation Test Leaf rsa-2048\"],"
    "\"globalPolicy\":true}]}";

/* Prints the failing call's code and the thread's last error, and exits. */
static void check(notation_result rc, const char *what) {
    if (rc == NOTATION_RESULT_OK) {
        return;
    }
    if (rc == NOTATION_RESULT_BUFFER_TOO_SMALL) {
        /* Not an error of the call: no last error is set for it. */
        fprintf(stderr, "%s failed: the buffer is too small\n", what);
        exit(1);
    }
    char message[1024] = "";
    size_t needed = 0;
    if (notation_last_error(message, sizeof message, &needed) != NOTATION_RESULT_OK) {
        strcpy(message, "(message too long)");
    }
    fprintf(stderr, "%s failed: code %u: %s\n", what, (unsigned)rc, message);
    exit(1);
}

/* Reads a whole file into a malloc'ed buffer. */
static unsigned char *read_file(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) {
        size = ftell(f);
    }
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s: not a regular file\n", path);
        exit(1);
    }
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    if (data == NULL || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* Whether a code point is a control or an invisible (format) character:
 * the set the library escapes in its messages (Unicode's Cc and Cf). */
static int is_control(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xad ||
           (cp >= 0x600 && cp <= 0x605) || cp == 0x61c || cp == 0x6dd || cp == 0x70f ||
           (cp >= 0x890 && cp <= 0x891) || cp == 0x8e2 || cp == 0x180e ||
           (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
           (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x206f) || cp == 0xfeff ||
           (cp >= 0xfff9 && cp <= 0xfffb) || cp == 0x110bd || cp == 0x110cd ||
           (cp >= 0x13430 && cp <= 0x1343f) || (cp >= 0x1bca0 && cp <= 0x1bca3) ||
           (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f);
}

/* Prints text a signer chose (a certificate subject; the library gives
 * valid UTF-8) with control and invisible characters escaped: printed raw,
 * an escape sequence could rewrite what the terminal shows, a line break
 * forge a line of output, and a bidirectional override reorder it. */
static void print_escaped(const char *text) {
    const unsigned char *p = (const unsigned char *)text;
    while (*p != 0) {
        uint32_t cp = *p;
        size_t n = 1;
        if (*p >= 0xf0 && p[1] && p[2] && p[3]) {
            cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
                 ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
            n = 4;
        } else if (*p >= 0xe0 && p[1] && p[2]) {
            cp = ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
            n = 3;
        } else if (*p >= 0xc0 && p[1]) {
            cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
            n = 2;
        }
        if (!is_control(cp)) {
            fwrite(p, 1, n, stdout);
        } else if (cp < 0x20) {
            printf("\\x%02x", (unsigned)cp);
        } else if (cp > 0xffff) {
            printf("\\U%08x", (unsigned)cp);
        } else {
            printf("\\u%04x", (unsigned)cp);
        }
        p += n;
    }
}

/* A string accessor's value in a buffer of the size it asks for, or NULL
 * when it has none (NOT_AVAILABLE). */
static char *certificate_subject(const notation_verdict *verdict, size_t index) {
    size_t needed = 0;
    notation_result rc = notation_verdict_certificate_subject(verdict, index, NULL, 0, &needed);
    if (rc != NOTATION_RESULT_BUFFER_TOO_SMALL) {
        check(rc, "notation_verdict_certificate_subject");
        return NULL;
    }
    char *text = malloc(needed);
    if (text == NULL) {
        exit(1);
    }
    check(notation_verdict_certificate_subject(verdict, index, text, needed, &needed),
          "notation_verdict_certificate_subject");
    return text;
}

/* The failure message of a verdict, asking for its size first. */
static char *verdict_failure(const notation_verdict *verdict) {
    size_t needed = 0;
    notation_result rc = notation_verdict_failure(verdict, NULL, 0, &needed);
    if (rc != NOTATION_RESULT_BUFFER_TOO_SMALL) {
        return NULL; /* NOT_AVAILABLE: it passed */
    }
    char *text = malloc(needed);
    if (text == NULL) {
        exit(1);
    }
    check(notation_verdict_failure(verdict, text, needed, &needed),
          "notation_verdict_failure");
    return text;
}

/* Prints the verdict and every check of a verification. */
static void print_verdict(const char *what, notation_result rc,
                         const notation_verdict *verdict) {
    char text[256];
    size_t needed = 0;
    check(notation_result_text((uint32_t)rc, text, sizeof text, &needed), "notation_result_text");
    printf("%s: %s\n", what, text);
    char *failure = verdict_failure(verdict);
    if (failure != NULL) {
        printf("  reason: %s\n", failure);
        free(failure);
    }
    size_t count = 0;
    check(notation_verdict_check_count(verdict, &count), "check_count");
    for (size_t i = 0; i < count; i++) {
        notation_check kind;
        notation_check_action action;
        bool passed;
        char kind_name[32];
        char action_name[16];
        check(notation_verdict_check(verdict, i, &kind, &action, &passed), "check");
        check(notation_check_name(kind, kind_name, sizeof kind_name, &needed),
              "notation_check_name");
        check(notation_check_action_name(action, action_name, sizeof action_name, &needed),
              "notation_check_action_name");
        printf("  %-19s %-7s %s", kind_name, action_name, passed ? "passed" : "FAILED");
        if (!passed) {
            char reason[1024];
            if (notation_verdict_check_failure(verdict, i, reason, sizeof reason,
                                                           &needed) == NOTATION_RESULT_OK) {
                printf(": %s", reason);
            }
        }
        printf("\n");
    }
    char digest[128];
    uint64_t size = 0;
    if (notation_verdict_payload_digest(verdict, digest, sizeof digest, &needed) ==
            NOTATION_RESULT_OK &&
        notation_verdict_payload_size(verdict, &size) == NOTATION_RESULT_OK) {
        printf("  signed content: %s (%llu bytes)\n", digest, (unsigned long long)size);
    }
    if (notation_verdict_signature_digest(verdict, digest, sizeof digest, &needed) ==
        NOTATION_RESULT_OK) {
        printf("  signature: %s\n", digest);
    }
    /* The signer, from the verified chain (only when authenticity passed:
     * never take identity from an unverified envelope). */
    size_t certificates = 0;
    if (notation_verdict_certificate_count(verdict, &certificates) == NOTATION_RESULT_OK) {
        char *subject = certificate_subject(verdict, 0);
        char fingerprint[72];
        check(notation_verdict_certificate_sha256(verdict, 0, fingerprint, sizeof fingerprint,
                                                  &needed),
              "notation_verdict_certificate_sha256");
        printf("  signed by: ");
        print_escaped(subject != NULL ? subject : "");
        printf(" (sha256 %s, chain of %zu)\n", fingerprint, certificates);
        free(subject);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s <pki-dir> <oci-layout-dir>\n", argv[0]);
        return 2;
    }
    const char *pki = argv[1];
    const char *layout = argv[2];
    printf("libnotation %s\n", notation_version());

    /* Configuration: both trust policies, the test root as ca:example. */
    notation_config *config = NULL;
    check(notation_config_new(&config), "notation_config_new");
    check(notation_config_set_oci_policy(config, (const uint8_t *)OCI_POLICY, strlen(OCI_POLICY)),
          "notation_config_set_oci_policy");
    check(notation_config_set_blob_policy(config, (const uint8_t *)BLOB_POLICY,
                                          strlen(BLOB_POLICY)),
          "notation_config_set_blob_policy");
    size_t root_len = 0;
    unsigned char *root = read_file(pki, "root.crt", &root_len);
    check(notation_config_add_certificates(config, NOTATION_TRUST_STORE_TYPE_CA, "example", root,
                                           root_len),
          "notation_config_add_certificates");
    free(root);

    /* One verifier, built once, for every verification below. */
    notation_verifier *verifier = NULL;
    check(notation_verifier_new(config, &verifier), "notation_verifier_new");

    char key_path[4096];
    char chain_path[4096];
    snprintf(key_path, sizeof key_path, "%s/rsa-2048.key", pki);
    snprintf(chain_path, sizeof chain_path, "%s/rsa-2048.chain.pem", pki);
    notation_signer *signer = NULL;
    check(notation_signer_new_from_files(key_path, chain_path, &signer),
          "notation_signer_new_from_files");

    /* Sign a blob: JWS, with user metadata. */
    static const char blob[] = "hello from C\n";
    notation_sign_options *sign_options = NULL;
    check(notation_sign_options_new(&sign_options), "notation_sign_options_new");
    check(notation_sign_options_set_format(sign_options, NOTATION_ENVELOPE_FORMAT_JWS),
          "set_format");
    check(notation_sign_options_add_user_metadata(sign_options, "buildId", "42"),
          "add_user_metadata");
    notation_buffer *signature = NULL;
    check(notation_signer_sign_blob(signer, (const uint8_t *)blob, strlen(blob), sign_options,
                                    &signature),
          "notation_signer_sign_blob");
    const uint8_t *sig = NULL;
    size_t sig_len = 0;
    check(notation_buffer_data(signature, &sig, &sig_len), "notation_buffer_data");
    printf("signed the blob: %zu-byte JWS envelope\n", sig_len);

    /* Verify it, requiring the metadata; then verify a tampered copy. */
    notation_verify_options *verify_options = NULL;
    check(notation_verify_options_new(&verify_options), "notation_verify_options_new");
    check(notation_verify_options_add_user_metadata(verify_options, "buildId", "42"),
          "add_user_metadata");
    notation_verdict *verdict = NULL;
    check(notation_verdict_new(&verdict), "notation_verdict_new");
    notation_result rc =
        notation_verifier_verify_blob(verifier, sig, sig_len, NOTATION_ENVELOPE_FORMAT_JWS,
                                      (const uint8_t *)blob, strlen(blob), verify_options, verdict);
    print_verdict("verify blob", rc, verdict);
    if (rc != NOTATION_RESULT_OK) {
        return 1;
    }
    static const char tampered[] = "hello from C!\n";
    rc = notation_verifier_verify_blob(verifier, sig, sig_len, NOTATION_ENVELOPE_FORMAT_JWS,
                                       (const uint8_t *)tampered, strlen(tampered), NULL, verdict);
    print_verdict("verify tampered blob", rc, verdict);
    if (rc == NOTATION_RESULT_OK) {
        return 1;
    }

    /* Sign the layout's artifact v1 (COSE), list its signatures, verify. */
    notation_target *target = NULL;
    check(notation_target_new_oci_layout(layout, "v1", "local/example", &target),
          "notation_target_new_oci_layout");
    check(notation_sign_options_set_format(sign_options, NOTATION_ENVELOPE_FORMAT_COSE),
          "set_format");
    notation_signature_list *signed_list = NULL;
    check(notation_signer_sign_artifact(signer, target, sign_options, &signed_list),
          "notation_signer_sign_artifact");
    char digest[128];
    size_t digest_needed = 0;
    check(notation_signature_list_digest(signed_list, 0, digest, sizeof digest, &digest_needed),
          "notation_signature_list_digest");
    notation_signature_list_free(&signed_list);
    printf("signed %s:v1, signature manifest %s\n", layout, digest);

    notation_signature_list *list = NULL;
    check(notation_target_inspect_signatures(target, 0, &list),
          "notation_target_inspect_signatures");
    size_t count = 0;
    check(notation_signature_list_count(list, &count), "notation_signature_list_count");
    for (size_t i = 0; i < count; i++) {
        char text[512];
        char algorithm[64];
        size_t needed = 0;
        check(notation_signature_list_digest(list, i, text, sizeof text, &needed), "digest");
        /* A signature that could not be read has an error and nothing else:
         * ask for the error's length first, then read it. */
        if (notation_signature_list_error(list, i, NULL, 0, &needed) ==
            NOTATION_RESULT_BUFFER_TOO_SMALL) {
            char *error = malloc(needed);
            if (error == NULL) {
                fprintf(stderr, "out of memory\n");
                exit(1);
            }
            check(notation_signature_list_error(list, i, error, needed, &needed), "error");
            printf("  signature %s could not be read: %s\n", text, error);
            free(error);
            continue;
        }
        check(notation_signature_list_signature_algorithm(list, i, algorithm, sizeof algorithm,
                                                          &needed),
              "signature_algorithm");
        printf("  signature %s (%s)\n", text, algorithm);
        /* A subject has no fixed bound: sized by asking first. */
        if (notation_signature_list_certificate_subject(list, i, 0, NULL, 0, &needed) !=
            NOTATION_RESULT_BUFFER_TOO_SMALL) {
            check(notation_signature_list_certificate_subject(list, i, 0, NULL, 0, &needed),
                  "certificate_subject size");
        }
        char *subject = malloc(needed);
        if (subject == NULL) {
            fprintf(stderr, "out of memory\n");
            exit(1);
        }
        check(notation_signature_list_certificate_subject(list, i, 0, subject, needed, &needed),
              "certificate_subject");
        printf("    signed by ");
        print_escaped(subject);
        printf("\n");
        free(subject);
    }
    notation_signature_list_free(&list);

    rc = notation_verifier_verify_artifact(verifier, target, NULL, verdict);
    print_verdict("verify artifact", rc, verdict);

    notation_target_free(&target);
    notation_verdict_free(&verdict);
    notation_verify_options_free(&verify_options);
    notation_buffer_free(&signature);
    notation_sign_options_free(&sign_options);
    notation_signer_free(&signer);
    notation_verifier_free(&verifier);
    notation_config_free(&config);
    return rc == NOTATION_RESULT_OK ? 0 : 1;
}
