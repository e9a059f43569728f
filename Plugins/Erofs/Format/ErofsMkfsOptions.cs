using System.Globalization;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs.Format;

/// <summary>Which on-disk inode version mkfs.erofs writes (erofs_should_use_inode_extended).</summary>
internal enum InodeVersionChoice
{
    /// <summary>Compact (32 bytes) unless a field does not fit (i_size over 4 GiB), as with a fixed -T timestamp.</summary>
    Auto,

    /// <summary>-E force-inode-compact.</summary>
    Compact,

    /// <summary>-E force-inode-extended: every inode 64 bytes.</summary>
    Extended,
}

/// <summary>
/// The mkfs.erofs options the model takes, spelled as FsOptions keys the way the user types them:
/// <c>chunksize=4096</c> (--chunksize=), <c>noinline_data</c> (-E noinline_data), <c>z=lz4</c>
/// (-zlz4), <c>dedupe</c> (-Ededupe), <c>force-inode-compact</c> / <c>force-inode-extended</c>
/// (-E), <c>uuid=</c> (-U). Blocks are 4 KiB, the only size DAX accepts.
/// </summary>
/// <param name="ChunkBits">log2 of --chunksize (chunk-based files), or null for flat files.</param>
/// <param name="InlineData">Tail packing (off with -E noinline_data).</param>
/// <param name="Compressor">-z: "lz4" or "lz4hc"; null for no compression.</param>
/// <param name="Dedupe">-Ededupe: identical compressed physical clusters stored once.</param>
/// <param name="Inodes">The inode version policy.</param>
/// <param name="Uuid">The volume UUID.</param>
internal sealed record ErofsMkfsOptions(int? ChunkBits, bool InlineData, string? Compressor, bool Dedupe, InodeVersionChoice Inodes, string Uuid)
{
    /// <summary>EROFS_BLKSIZ with 4 KiB pages: the block size mkfs.erofs uses by default and DAX needs.</summary>
    public const ulong BlockSize = 4096;

    /// <summary>A fixed UUID: mkfs.erofs would pick a random one, which a deterministic model cannot.</summary>
    public const string DefaultUuid = "2f7c1e8a-5d43-4b6e-9a0c-7e1d3b5f9c24";

    /// <summary>The option names.</summary>
    public static readonly string[] Known = ["chunksize", "noinline_data", "z", "dedupe", "force-inode-compact", "force-inode-extended", "uuid"];

    /// <summary>Parses mkfs options; an unknown or bad one gives -EINVAL naming it.</summary>
    public static ErrnoOr<ErofsMkfsOptions> Parse(FsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var unknown = options.Unknown(Known);
        if (unknown.Count > 0)
        {
            return Fail($"unknown mkfs option '{unknown[0]}'; the model knows chunksize=N (--chunksize), noinline_data (-E), z=lz4|lz4hc (-z), dedupe (-E), force-inode-compact, force-inode-extended (-E) and uuid= (-U)");
        }

        int? chunkBits = null;
        if (options.Get("chunksize") is { } chunk)
        {
            // mkfs.erofs: "chunksize %s must be a power of two" and at least the block size.
            if (!ulong.TryParse(chunk, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < BlockSize || (size & (size - 1)) != 0 || size > (1UL << 31))
            {
                return Fail($"mkfs option 'chunksize' must be a power of two from {BlockSize} (got '{chunk}')");
            }

            chunkBits = System.Numerics.BitOperations.Log2(size);
        }

        var compressor = options.Get("z");
        if (compressor is not null and not ("lz4" or "lz4hc"))
        {
            return Fail($"mkfs option 'z' takes lz4 or lz4hc (got '{compressor}'; lzma and deflate are not modelled)");
        }

        if (options.Has("dedupe") && compressor is null)
        {
            return Fail("mkfs option 'dedupe' (-Ededupe) deduplicates compressed data and needs z=; chunk-based files (chunksize=) always share identical chunks");
        }

        if (options.Has("force-inode-compact") && options.Has("force-inode-extended"))
        {
            return Fail("mkfs options 'force-inode-compact' and 'force-inode-extended' contradict each other");
        }

        foreach (var flag in new[] { "noinline_data", "dedupe", "force-inode-compact", "force-inode-extended" })
        {
            if (options.Get(flag) is { Length: > 0 } value)
            {
                return Fail($"mkfs option '{flag}' is a flag and takes no value (got '{value}')");
            }
        }

        var uuid = options.Get("uuid") ?? DefaultUuid;
        if (!Guid.TryParseExact(uuid, "D", out _))
        {
            return Fail($"mkfs option 'uuid' is not a UUID: '{uuid}'");
        }

        var inodes = options.Has("force-inode-compact") ? InodeVersionChoice.Compact
            : options.Has("force-inode-extended") ? InodeVersionChoice.Extended
            : InodeVersionChoice.Auto;
        return ErrnoOr<ErofsMkfsOptions>.Ok(new ErofsMkfsOptions(chunkBits, !options.Has("noinline_data"), compressor, options.Has("dedupe"), inodes, uuid.ToLowerInvariant()));
    }

    private static ErrnoOr<ErofsMkfsOptions> Fail(string message) => ErrnoOr<ErofsMkfsOptions>.Fail(Errno.EINVAL, "mkfs.erofs: " + message);
}
