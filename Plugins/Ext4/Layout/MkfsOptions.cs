using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Ext4.Layout;

/// <summary>
/// The mkfs.ext4 options the model takes, spelled as FsOptions ("flex_bg=0,blocks_per_group=8192").
/// Each maps to an mke2fs switch; defaults are those of e2fsprogs' mke2fs.conf for ext4 with 4 KiB
/// blocks (the only block size DAX accepts, so there is no block-size option).
/// </summary>
/// <param name="FlexBg">-O flex_bg (default on): pack each flex group's bitmaps and inode tables into its first group.</param>
/// <param name="FlexBgSize">-G (default 16): groups per flex group, a power of two.</param>
/// <param name="BlocksPerGroup">-g (default 32768, 8 × block size): a multiple of 8, at most 32768.</param>
/// <param name="InodeRatio">-i (default 16384): bytes per inode.</param>
/// <param name="SparseSuper">-O sparse_super (default on): superblock backups only in groups 0, 1 and powers of 3, 5, 7.</param>
/// <param name="ResizeInode">-O resize_inode (default on): reserved GDT blocks for growth to 1024 × the size.</param>
/// <param name="JournalBlocks">-J size= in blocks; null for ext2fs_default_journal_size.</param>
/// <param name="Uuid">-U: the filesystem UUID (6.12's mount line prints it); a fixed default keeps output deterministic.</param>
internal sealed record MkfsOptions(
    bool FlexBg,
    uint FlexBgSize,
    uint BlocksPerGroup,
    uint InodeRatio,
    bool SparseSuper,
    bool ResizeInode,
    ulong? JournalBlocks,
    string Uuid)
{
    /// <summary>The default UUID: mkfs would pick a random one, which a deterministic model cannot.</summary>
    public const string DefaultUuid = "6e0d7a52-1b0e-4c7e-9d4a-3f2b8c1e5a70";

    /// <summary>The option names, in the order the README lists them.</summary>
    public static readonly string[] Known = ["flex_bg", "flex_bg_size", "blocks_per_group", "inode_ratio", "sparse_super", "resize_inode", "journal_blocks", "uuid", "stride", "stripe_width"];

    /// <summary>-E stride= (s_raid_stride, in blocks; 0 for none).</summary>
    public uint Stride { get; init; }

    /// <summary>-E stripe_width= (s_raid_stripe_width, in blocks; 0 for none).</summary>
    public uint StripeWidth { get; init; }

    /// <summary>
    /// fs/ext4/super.c: ext4_get_stripe_size(): the stripe mballoc aligns to, s_stripe: the stripe
    /// width if it fits in a group, else the stride if it does; 1 or 0 turns stripe handling off.
    /// </summary>
    public uint Stripe
    {
        get
        {
            var stripe = StripeWidth != 0 && StripeWidth <= BlocksPerGroup ? StripeWidth
                : Stride != 0 && Stride <= BlocksPerGroup ? Stride : 0;
            return stripe <= 1 ? 0 : stripe;
        }
    }

    /// <summary>
    /// Whether inode_ratio was asked for; if not, mke2fs takes it from the size's usage type in
    /// /etc/mke2fs.conf (misc/mke2fs.c: parse_fs_type()): see <see cref="Ext4Geometry"/>.
    /// </summary>
    public bool InodeRatioGiven { get; init; }

    /// <summary>Parses mkfs options; an unknown or bad one gives -EINVAL naming it.</summary>
    public static ErrnoOr<MkfsOptions> Parse(FsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Unknown(Known);
        if (unknown.Count > 0)
        {
            var hint = unknown.Contains("reflink") ? " (ext4 has no reflink: clones fail with -EOPNOTSUPP)" : "";
            return Fail($"unknown mkfs option '{unknown[0]}'{hint}; ext4 knows {string.Join(", ", Known)}");
        }

        var flexBg = Bool(options, "flex_bg", true);
        var sparse = Bool(options, "sparse_super", true);
        var resize = Bool(options, "resize_inode", true);
        var flexSize = Number(options, "flex_bg_size", 16);
        var bpg = Number(options, "blocks_per_group", 32768);
        var ratio = Number(options, "inode_ratio", 16384);
        var journal = options.Has("journal_blocks") ? Number(options, "journal_blocks", 0) : (ulong?)null;
        var stride = Number(options, "stride", 0);
        var stripeWidth = Number(options, "stripe_width", 0);
        var bad = new[] { ("flex_bg", flexBg is null), ("sparse_super", sparse is null), ("resize_inode", resize is null), ("flex_bg_size", flexSize is null), ("blocks_per_group", bpg is null), ("inode_ratio", ratio is null), ("journal_blocks", options.Has("journal_blocks") && journal is null), ("stride", stride is not <= uint.MaxValue), ("stripe_width", stripeWidth is not <= uint.MaxValue) }
            .FirstOrDefault(b => b.Item2).Item1;
        if (bad is not null)
        {
            return Fail($"mkfs option '{bad}' has a bad value '{options.Get(bad)}'");
        }

        if (flexSize is not { } g || g == 0 || (g & (g - 1)) != 0 || g > 65536)
        {
            return Fail($"mkfs option 'flex_bg_size' must be a power of two (got {options.Get("flex_bg_size")})");
        }

        if (bpg is not { } b || b < 256 || b > 32768 || b % 8 != 0)
        {
            return Fail($"mkfs option 'blocks_per_group' must be a multiple of 8 from 256 to 32768 (got {options.Get("blocks_per_group")})");
        }

        if (ratio is not { } r || r < 1024 || r > 67108864)
        {
            return Fail($"mkfs option 'inode_ratio' must be from 1024 to 67108864 (got {options.Get("inode_ratio")})");
        }

        if (options.Has("flex_bg_size") && flexBg == false)
        {
            return Fail("mkfs options 'flex_bg_size' and 'flex_bg=0' contradict each other");
        }

        if (journal is 0)
        {
            return Fail("mkfs option 'journal_blocks' must be at least 1024 (a journal-less ext4 is not modelled)");
        }

        if (journal is < 1024)
        {
            return Fail($"mkfs option 'journal_blocks' must be at least 1024 (got {journal})");
        }

        var uuid = options.Get("uuid") ?? DefaultUuid;
        if (!Guid.TryParseExact(uuid, "D", out _))
        {
            return Fail($"mkfs option 'uuid' is not a UUID: '{uuid}'");
        }

        return ErrnoOr<MkfsOptions>.Ok(new MkfsOptions(flexBg!.Value, (uint)g, (uint)b, (uint)r, sparse!.Value, resize!.Value, journal, uuid.ToLowerInvariant()) { InodeRatioGiven = options.Has("inode_ratio"), Stride = (uint)stride!.Value, StripeWidth = (uint)stripeWidth!.Value });
    }

    private static ErrnoOr<MkfsOptions> Fail(string message) => ErrnoOr<MkfsOptions>.Fail(Errno.EINVAL, "ext4: " + message);

    private static bool? Bool(FsOptions options, string key, bool fallback) => options.Get(key) switch
    {
        null => fallback,
        "" or "1" => true,
        "0" => false,
        _ => null,
    };

    private static ulong? Number(FsOptions options, string key, ulong fallback) =>
        options.Get(key) is not { } text ? fallback
        : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
