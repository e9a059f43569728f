using System.Text.RegularExpressions;

namespace DaxHolder.Scenarios.Oracle;

/// <summary>
/// Fetches a Debian kernel with the machine's own apt: the default suite as configured, or
/// backports and sid through a private apt state (lists and archives under the cache) whose one
/// source line uses the archive URI of the machine's configuration (no host name is built in).
/// </summary>
internal sealed partial class DebianPackages(OracleCache cache, TextWriter progress)
{
    /// <summary>Downloads and unpacks the newest <c>linux-image-amd64</c> of the kernel's suite into <paramref name="tree"/>; returns the kernel release (uname -r).</summary>
    public string FetchKernel(OracleKernel kernel, string tree)
    {
        var apt = AptOptions(kernel.Suite);
        var depends = HostProcess.Check("apt-cache depends linux-image-amd64", "apt-cache", [.. apt, "depends", "linux-image-amd64"]);
        var image = ImageDependency().Match(depends) is { Success: true } m ? m.Groups[1].Value
            : throw new OracleException($"apt-cache found no linux-image-<version> behind linux-image-amd64 in {kernel.Suite} (output: {depends.Trim()})");
        progress.WriteLine($"oracle: kernel {kernel.Name}: {image}");
        Download(apt, image);
        Unpack(image, tree);
        if (!Directory.Exists(Path.Combine(tree, "lib", "modules")) && !Directory.Exists(Path.Combine(tree, "usr", "lib", "modules")))
        {
            // Newer Debian kernels split the image: linux-binary-<release> holds vmlinuz, linux-modules-<release> the modules.
            var release = image["linux-image-".Length..];
            foreach (var part in new[] { $"linux-binary-{release}", $"linux-modules-{release}" })
            {
                Download(apt, part);
                Unpack(part, tree);
            }
        }

        var modules = ModulesDir(tree) ?? throw new OracleException($"{image} unpacked without a modules folder");
        return Directory.GetDirectories(modules).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new OracleException($"{image} holds no /lib/modules/<release>");
    }

    /// <summary>The lib/modules folder of an unpacked kernel tree (usrmerged or not).</summary>
    public static string? ModulesDir(string tree) =>
        new[] { Path.Combine(tree, "lib", "modules"), Path.Combine(tree, "usr", "lib", "modules") }.FirstOrDefault(Directory.Exists);

    /// <summary>
    /// The archive URI of this machine's apt configuration: the first non-security <c>URIs:</c> of a
    /// deb822 .sources file, else the first <c>deb</c> line of sources.list(.d).
    /// </summary>
    public static string? ArchiveUri(string etcApt = "/etc/apt")
    {
        var sourcesDir = Path.Combine(etcApt, "sources.list.d");
        var deb822 = Directory.Exists(sourcesDir) ? Directory.GetFiles(sourcesDir, "*.sources").Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        foreach (var file in deb822)
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length > 1 && parts[0].Equals("URIs:", StringComparison.OrdinalIgnoreCase))
                {
                    var uri = parts.Skip(1).FirstOrDefault(u => !u.Contains("security", StringComparison.Ordinal));
                    if (uri is not null)
                    {
                        return uri;
                    }
                }
            }
        }

        var lists = new[] { Path.Combine(etcApt, "sources.list") }
            .Concat(Directory.Exists(sourcesDir) ? Directory.GetFiles(sourcesDir, "*.list").Order(StringComparer.Ordinal) : []);
        foreach (var file in lists.Where(File.Exists))
        {
            foreach (var line in File.ReadLines(file))
            {
                var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length > 2 && parts[0] == "deb")
                {
                    var uri = parts.Skip(1).FirstOrDefault(p => UriScheme().IsMatch(p) && !p.Contains("security", StringComparison.Ordinal));
                    if (uri is not null)
                    {
                        return uri;
                    }
                }
            }
        }

        return null;
    }

    private List<string> AptOptions(DebianSuite suite)
    {
        if (suite == DebianSuite.Default)
        {
            return [];
        }

        var dir = cache.Apt(suite);
        foreach (var sub in new[] { "lists/partial", "cache/archives/partial", "parts.d" })
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        var uri = ArchiveUri() ?? throw new OracleException("no Debian archive URI in /etc/apt (sources.list or sources.list.d/*.sources): the oracle fetches kernels with the machine's apt");
        var codename = OsRelease("VERSION_CODENAME") ?? "bookworm";
        var line = suite == DebianSuite.Backports ? $"deb {uri} {codename}-backports main" : $"deb [trusted=yes] {uri} sid main";
        var list = Path.Combine(dir, "sources.list");
        File.WriteAllText(list, line + "\n");
        List<string> options =
        [
            "-o", $"Dir::Etc::sourcelist={list}", "-o", $"Dir::Etc::sourceparts={Path.Combine(dir, "parts.d")}",
            "-o", $"Dir::State::Lists={Path.Combine(dir, "lists")}", "-o", $"Dir::Cache={Path.Combine(dir, "cache")}",
        ];
        var stamp = Path.Combine(dir, "updated");
        if (!File.Exists(stamp) || File.GetLastWriteTimeUtc(stamp) < DateTime.UtcNow.AddDays(-1))
        {
            progress.WriteLine($"oracle: apt-get update ({line})");
            HostProcess.Check($"apt-get update for {suite}", "apt-get", [.. options, "update", "-q"]);
            File.WriteAllText(stamp, line + "\n");
        }

        return options;
    }

    private void Download(List<string> apt, string package)
    {
        if (Directory.GetFiles(cache.Debs, $"{package}_*.deb").Length > 0)
        {
            return;
        }

        progress.WriteLine($"oracle: downloading {package}");
        HostProcess.Check($"apt-get download {package}", "apt-get", [.. apt, "download", package], cache.Debs);
    }

    private void Unpack(string package, string tree)
    {
        var deb = Directory.GetFiles(cache.Debs, $"{package}_*.deb").Order(StringComparer.Ordinal).Last();
        HostProcess.Check($"dpkg -x {Path.GetFileName(deb)}", "dpkg", ["-x", deb, tree]);
    }

    private static string? OsRelease(string key)
    {
        if (!File.Exists("/etc/os-release"))
        {
            return null;
        }

        var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal));
        return line?[(key.Length + 1)..].Trim('"');
    }

    [GeneratedRegex(@"Depends: (linux-image-[0-9][^\s]*)")]
    private static partial Regex ImageDependency();

    [GeneratedRegex("^[a-z+]+://")]
    private static partial Regex UriScheme();
}
