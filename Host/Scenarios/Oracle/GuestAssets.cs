using System.Security.Cryptography;
using System.Text;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// The guest side shipped inside daxholder (Oracle/Guest/, embedded): <c>daxprobe.c</c> (the
/// probe every scenario task runs as), <c>init.sh</c> (the guest's /init) and <c>lib.sh</c> (the
/// shell functions the generated case scripts call).
/// </summary>
internal static class GuestAssets
{
    public static string Probe => Read("daxprobe.c");

    public static string Init => Read("init.sh");

    public static string Library => Read("lib.sh");

    /// <summary>A short hash of every guest asset: an image built from other assets is rebuilt.</summary>
    public static string Fingerprint
    {
        get
        {
            var all = Encoding.UTF8.GetBytes(Probe + "\0" + Init + "\0" + Library + "\0" + ImageBuilder.Layout);
            return Convert.ToHexStringLower(SHA256.HashData(all))[..16];
        }
    }

    private static string Read(string name)
    {
        using var stream = typeof(GuestAssets).Assembly.GetManifestResourceStream("Oracle.Guest." + name)
            ?? throw new InvalidOperationException($"guest asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
