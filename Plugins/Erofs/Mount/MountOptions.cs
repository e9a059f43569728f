using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs.Mount;

/// <summary>fs/erofs/super.c: EROFS_MOUNT_DAX_ALWAYS and EROFS_MOUNT_DAX_NEVER (erofs_dax_param_enums has no "inode").</summary>
internal enum DaxMode
{
    /// <summary>No dax option: no file is DAX.</summary>
    Default,

    /// <summary>dax or dax=always.</summary>
    Always,

    /// <summary>dax=never.</summary>
    Never,
}

/// <summary>
/// The mount options the model takes: EROFS's dax (fsparam_flag "dax" and fsparam_enum "dax"
/// with always and never), and notify_failure=rmap, which is not an EROFS option but the switch
/// for the modelled proposal (README).
/// </summary>
/// <param name="Dax">dax=.</param>
/// <param name="RmapHolder">notify_failure=rmap: register holder operations that walk the model's rmap.</param>
internal sealed record MountOptions(DaxMode Dax, bool RmapHolder)
{
    /// <summary>The option names.</summary>
    public static readonly string[] Known = ["dax", "notify_failure"];

    /// <summary>Parses mount options; anything unknown or a bad value gives -EINVAL naming it (fs_parse).</summary>
    public static ErrnoOr<MountOptions> Parse(FsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Unknown(Known);
        if (unknown.Count > 0)
        {
            return Fail($"Unknown parameter '{unknown[0]}'; the model knows dax, dax=always|never and notify_failure=rmap (a model switch, not an erofs option)");
        }

        DaxMode dax;
        switch (options.Get("dax"))
        {
            case null: dax = DaxMode.Default; break;
            case "" or "always": dax = DaxMode.Always; break;
            case "never": dax = DaxMode.Never; break;
            case var other: return Fail($"Bad value for 'dax': '{other}' (always or never; erofs has no dax=inode)");
        }

        var rmap = options.Get("notify_failure");
        if (rmap is not null and not "rmap")
        {
            return Fail($"Bad value for 'notify_failure': '{rmap}' (only notify_failure=rmap, the model's proposal switch)");
        }

        return ErrnoOr<MountOptions>.Ok(new MountOptions(dax, rmap is not null));
    }

    private static ErrnoOr<MountOptions> Fail(string message) => ErrnoOr<MountOptions>.Fail(Errno.EINVAL, "erofs: " + message);
}
