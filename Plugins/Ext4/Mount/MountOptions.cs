using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Ext4.Mount;

/// <summary>fs/ext4/super.c: the dax= tri-state (EXT4_MOUNT_DAX_ALWAYS, EXT4_MOUNT2_DAX_NEVER, EXT4_MOUNT2_DAX_INODE).</summary>
internal enum DaxMode
{
    /// <summary>No dax option: neither always nor never, so ext4_should_use_dax follows each inode's EXT4_DAX_FL (as dax=inode).</summary>
    Default,

    /// <summary>dax or dax=always.</summary>
    Always,

    /// <summary>dax=never.</summary>
    Never,

    /// <summary>dax=inode.</summary>
    Inode,
}

/// <summary>fs/ext4/super.c: errors= (EXT4_MOUNT_ERRORS_CONT, _RO, _PANIC).</summary>
internal enum ErrorsBehaviour
{
    /// <summary>errors=continue, and the default: mke2fs writes s_errors = EXT2_ERRORS_CONTINUE.</summary>
    Continue,

    /// <summary>errors=remount-ro.</summary>
    RemountReadOnly,

    /// <summary>errors=panic.</summary>
    Panic,
}

/// <summary>
/// The mount options the model takes: ext4's own dax and errors, and notify_failure=rmap, which
/// is not an ext4 option at all but the switch for the modelled proposal (README).
/// </summary>
/// <param name="Dax">dax=.</param>
/// <param name="Errors">errors=.</param>
/// <param name="RmapHolder">notify_failure=rmap: register holder operations that walk the model's rmap.</param>
internal sealed record MountOptions(DaxMode Dax, ErrorsBehaviour Errors, bool RmapHolder)
{
    /// <summary>The option names.</summary>
    public static readonly string[] Known = ["dax", "errors", "notify_failure"];

    /// <summary>Parses mount options; anything unknown or a bad value gives -EINVAL naming it.</summary>
    public static ErrnoOr<MountOptions> Parse(FsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Unknown(Known);
        if (unknown.Count > 0)
        {
            return Fail($"unknown mount option '{unknown[0]}'; the model knows dax, dax=always|never|inode, errors=continue|remount-ro|panic and notify_failure=rmap (a model switch, not an ext4 option)");
        }

        DaxMode dax;
        switch (options.Get("dax"))
        {
            case null: dax = DaxMode.Default; break;
            case "" or "always": dax = DaxMode.Always; break;
            case "never": dax = DaxMode.Never; break;
            case "inode": dax = DaxMode.Inode; break;
            case var other: return Fail($"bad value for mount option 'dax': '{other}' (always, never or inode)");
        }

        ErrorsBehaviour errors;
        switch (options.Get("errors"))
        {
            case null or "continue": errors = ErrorsBehaviour.Continue; break;
            case "remount-ro": errors = ErrorsBehaviour.RemountReadOnly; break;
            case "panic": errors = ErrorsBehaviour.Panic; break;
            case var other: return Fail($"bad value for mount option 'errors': '{other}' (continue, remount-ro or panic)");
        }

        var rmap = options.Get("notify_failure");
        if (rmap is not null and not "rmap")
        {
            return Fail($"bad value for mount option 'notify_failure': '{rmap}' (only notify_failure=rmap, the model's proposal switch)");
        }

        return ErrnoOr<MountOptions>.Ok(new MountOptions(dax, errors, rmap is not null));
    }

    private static ErrnoOr<MountOptions> Fail(string message) => ErrnoOr<MountOptions>.Fail(Errno.EINVAL, "ext4: " + message);
}
