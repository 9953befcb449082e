//! Hostile callers of the plugin functions: codes, never a crash.

use std::ffi::{CString, c_char};
use std::ptr;

use notation::*;

use crate::common::*;
use crate::helpers::{RAW_PLUGIN, config_with_plugins, free_all, new_plugin_signer};

/// NULL pointers, invalid UTF-8, empty and path-like names, missing
/// plugins, duplicate and empty configuration keys: codes, no effect, no
/// out-parameter written, never a crash.
#[test]
fn hostile_calls_give_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let plugins = tmp.path().join("plugins");
    let config = config_with_plugins(&plugins);
    let memory = memory_config();
    let bad_utf8 = CString::new(vec![0xff, 0xfe, b'x']).unwrap();
    let name = cstr(RAW_PLUGIN);
    let key = cstr("key-1");
    let dir = cstr(plugins.to_str().unwrap());
    let mut signer = ptr::null_mut();
    let mut needed = 0usize;
    let mut buf = [0 as c_char; 8];
    // SAFETY: every pointer is NULL, a live handle, a NUL-terminated string
    // or writable, as each call documents.
    unsafe {
        // The configuration's plugin directory.
        assert_eq!(
            notation_config_set_plugin_dir(ptr::null_mut(), dir.as_ptr()),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_config_set_plugin_dir(config, bad_utf8.as_ptr()),
            notation_result::InvalidUtf8
        );
        assert_eq!(
            notation_config_set_plugin_dir(config, c"".as_ptr()),
            notation_result::InvalidArgument
        );
        assert_eq!(
            read_string(|b, l, n| notation_config_last_error(config, b, l, n)).unwrap(),
            "the plugin directory is empty (pass NULL to disable plugins)"
        );
        // Nothing changed.
        assert_eq!(
            read_string(|b, l, n| notation_config_plugin_dir(config, b, l, n)).unwrap(),
            plugins.to_str().unwrap()
        );
        assert_eq!(
            notation_config_plugin_dir(config, buf.as_mut_ptr(), buf.len(), &mut needed),
            notation_result::BufferTooSmall
        );
        assert_eq!(needed, plugins.to_str().unwrap().len() + 1);
        assert_eq!(
            notation_config_plugin_dir(ptr::null(), buf.as_mut_ptr(), buf.len(), &mut needed),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_config_plugin_dir(config, ptr::null_mut(), 0, ptr::null_mut()),
            notation_result::NullParameter
        );
        assert_eq!(
            notation_config_plugin_dir(memory, buf.as_mut_ptr(), buf.len(), &mut needed),
            notation_result::NotAvailable
        );
        assert_eq!(
            notation_config_set_plugin_timeout(ptr::null_mut(), 1),
            notation_result::NullParameter
        );
        ok(notation_config_set_plugin_timeout(config, 0));

        // Plugin signers.
        for (c, n, k, out) in [
            (
                ptr::null(),
                name.as_ptr(),
                key.as_ptr(),
                &mut signer as *mut _,
            ),
            (config as *const _, ptr::null(), key.as_ptr(), &mut signer),
            (config, name.as_ptr(), ptr::null(), &mut signer),
            (config, name.as_ptr(), key.as_ptr(), ptr::null_mut()),
        ] {
            assert_eq!(
                notation_signer_new_plugin(c, n, k, out),
                notation_result::NullParameter
            );
        }
        assert!(signer.is_null());
        assert_eq!(
            notation_signer_new_plugin(config, bad_utf8.as_ptr(), key.as_ptr(), &mut signer),
            notation_result::InvalidUtf8
        );
        assert_eq!(
            notation_signer_new_plugin(config, name.as_ptr(), bad_utf8.as_ptr(), &mut signer),
            notation_result::InvalidUtf8
        );
        assert!(signer.is_null());
    }
    let err = |plugin: &str, key: &str, config| new_plugin_signer(config, plugin, key).unwrap_err();
    assert_eq!(
        err(RAW_PLUGIN, "", config),
        (
            notation_result::InvalidArgument,
            "keyID not specified".to_string()
        )
    );
    for name in ["", ".", "..", "../plugins", "a/b", "a\\b"] {
        assert_eq!(
            err(name, "key", config),
            (
                notation_result::InvalidArgument,
                format!("invalid plugin name {name:?}")
            ),
            "{name:?}"
        );
    }
    let (code, message) = err("com.example.absent", "key", config);
    assert_eq!(code, notation_result::PluginNotFound);
    assert_eq!(
        message,
        format!(
            "plugin executable file is either not found or inaccessible: stat {}: no such file or directory",
            plugins
                .join("com.example.absent/notation-com.example.absent")
                .display()
        )
    );
    // A directory where the executable should be.
    std::fs::create_dir_all(plugins.join("com.example.dir/notation-com.example.dir")).unwrap();
    assert_eq!(
        err("com.example.dir", "key", config),
        (
            notation_result::PluginNotFound,
            "plugin executable file is not a regular file".to_string()
        )
    );
    // An in-memory configuration without a plugin directory.
    let (code, message) = err(RAW_PLUGIN, "key", memory);
    assert_eq!(code, notation_result::PluginKeyUnsupported);
    assert!(message.contains("plugins are disabled"), "{message}");

    // Plugin configuration entries.
    let mut sign = ptr::null_mut();
    let mut verify = ptr::null_mut();
    // SAFETY: as above.
    unsafe {
        ok(notation_sign_options_new(&mut sign));
        ok(notation_verify_options_new(&mut verify));
        let k = c"k".as_ptr();
        let v = c"v".as_ptr();
        // (with_options, key, value) -> code, for both kinds of options.
        type Add<'a> = &'a dyn Fn(bool, *const c_char, *const c_char) -> notation_result;
        let sign_add = |with: bool, k, v| {
            let options = if with { sign } else { ptr::null_mut() };
            notation_sign_options_add_plugin_config(options, k, v)
        };
        let verify_add = |with: bool, k, v| {
            let options = if with { verify } else { ptr::null_mut() };
            notation_verify_options_add_plugin_config(options, k, v)
        };
        for add in [&sign_add as Add<'_>, &verify_add] {
            assert_eq!(add(false, k, v), notation_result::NullParameter);
            assert_eq!(add(true, ptr::null(), v), notation_result::NullParameter);
            assert_eq!(add(true, k, ptr::null()), notation_result::NullParameter);
            assert_eq!(
                add(true, bad_utf8.as_ptr(), v),
                notation_result::InvalidUtf8
            );
            assert_eq!(
                add(true, k, bad_utf8.as_ptr()),
                notation_result::InvalidUtf8
            );
            assert_eq!(add(true, c"".as_ptr(), v), notation_result::InvalidArgument);
            ok(add(true, k, v));
            assert_eq!(
                add(true, k, c"w".as_ptr()),
                notation_result::InvalidArgument
            );
            assert_eq!(last_error(), "plugin config key \"k\" is given twice");
        }
        notation_sign_options_free(&mut sign);
        notation_verify_options_free(&mut verify);
        notation_config_free(&mut { memory });
    }
    free_all(config, ptr::null_mut(), ptr::null_mut());
}
