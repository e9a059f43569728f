namespace DaxHolder.Scenarios.Oracle;

/// <summary>A bootable kernel and its initramfs (without the case: that is appended per boot).</summary>
internal sealed record BootImage(OracleKernel Kernel, string Release, string Vmlinuz, string Initramfs);

/// <summary>
/// Builds (once per kernel, then from the cache) the guest: Debian's kernel package, its pmem,
/// DAX, filesystem and hwpoison-inject modules (decompressed so busybox insmod loads them, in
/// modprobe's dependency order), busybox, the host's xfsprogs, e2fsprogs, erofs-utils and ndctl
/// with their libraries, and <c>daxprobe</c> compiled static from the embedded source.
/// </summary>
internal sealed class ImageBuilder(OracleCache cache, TextWriter progress)
{
    /// <summary>Bump when what goes into the image changes (part of the cache stamp).</summary>
    public const string Layout = "image-layout-3";

    /// <summary>The modules the guest loads: NVDIMM (nfit, nd_pmem), fsdax, device-DAX (device_dax: /dev/daxX.Y), the filesystems, hwpoison-inject (debugfs corrupt-pfn).</summary>
    private static readonly string[] Modules = ["nfit", "nd_pmem", "nd_btt", "dax_pmem", "device_dax", "xfs", "ext4", "erofs", "hwpoison_inject"];

    private static readonly string[] Applets =
    [
        "sh", "mount", "umount", "mkdir", "cat", "echo", "ls", "sleep", "dmesg", "insmod", "poweroff", "grep", "sed", "awk",
        "touch", "rm", "cp", "mv", "sync", "head", "tail", "uname", "kill", "cut", "tr", "test", "printf", "tee", "ln", "basename",
    ];

    private static readonly string[] Tools = ["mkfs.xfs", "xfs_io", "xfs_db", "ndctl", "mke2fs", "dumpe2fs", "debugfs", "mkfs.erofs"];

    /// <summary>
    /// What the host needs, as (command, Debian package): a missing one is a clear error saying
    /// which packages to install.
    /// </summary>
    public static readonly (string Command, string Package)[] HostNeeds =
    [
        ("qemu-system-x86_64", "qemu-system-x86"), ("/bin/busybox", "busybox-static"), ("mkfs.xfs", "xfsprogs"), ("xfs_io", "xfsprogs"),
        ("mke2fs", "e2fsprogs"), ("mkfs.erofs", "erofs-utils"), ("ndctl", "ndctl"), ("gcc", "gcc libc6-dev"), ("cpio", "cpio"),
        ("modprobe", "kmod"), ("depmod", "kmod"), ("xz", "xz-utils"), ("zstd", "zstd"), ("apt-get", "apt"), ("dpkg", "dpkg"),
    ];

    /// <summary>Throws a clear <see cref="OracleException"/> naming the packages to install when a host tool is missing.</summary>
    public static void CheckHost(Func<string, bool>? onPath = null)
    {
        var present = onPath ?? HostProcess.OnPath;
        var missing = HostNeeds.Where(n => !present(n.Command)).ToList();
        if (missing.Count > 0)
        {
            throw new OracleException(
                $"the oracle needs {string.Join(", ", missing.Select(m => m.Command))} on this machine; install them with: " +
                $"apt-get install {string.Join(' ', missing.Select(m => m.Package).Distinct())}");
        }
    }

    /// <summary>The cached image of <paramref name="kernel"/>, built first when missing or stale.</summary>
    public BootImage Get(OracleKernel kernel)
    {
        CheckHost();
        var dir = cache.Kernel(kernel);
        var stamp = Path.Combine(dir, "stamp");
        var initramfs = Path.Combine(dir, "initramfs.cpio.gz");
        var vmlinuz = Path.Combine(dir, "vmlinuz");
        var release = Path.Combine(dir, "release");
        if (File.Exists(stamp) && File.ReadAllText(stamp).Trim() == GuestAssets.Fingerprint && File.Exists(initramfs) && File.Exists(vmlinuz) && File.Exists(release))
        {
            return new BootImage(kernel, File.ReadAllText(release).Trim(), vmlinuz, initramfs);
        }

        var tree = Path.Combine(dir, "package");
        var kver = File.Exists(release) && DebianPackages.ModulesDir(tree) is not null
            ? File.ReadAllText(release).Trim()
            : new DebianPackages(cache, progress).FetchKernel(kernel, tree);
        File.WriteAllText(release, kver + "\n");
        progress.WriteLine($"oracle: building the {kernel.Name} guest ({kver}) under {dir}");
        var root = Path.Combine(dir, "root");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        foreach (var d in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "lib", "lib64", "proc", "sys", "dev", "tmp", "mnt", "etc", "modules", "run", "oracle" })
        {
            Directory.CreateDirectory(Path.Combine(root, d));
        }

        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        foreach (var applet in Applets)
        {
            File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        }

        CopyModules(tree, kver, root);
        foreach (var tool in Tools)
        {
            CopyTool(tool, root);
        }

        File.CreateSymbolicLink(Path.Combine(root, "usr", "bin", "mkfs.ext4"), "mke2fs");
        if (File.Exists("/etc/mke2fs.conf"))
        {
            File.Copy("/etc/mke2fs.conf", Path.Combine(root, "etc", "mke2fs.conf"));
        }

        var sources = Path.Combine(dir, "probe");
        Directory.CreateDirectory(sources);
        foreach (var (name, text) in GuestAssets.ProbeSources)
        {
            File.WriteAllText(Path.Combine(sources, name), text);
        }

        HostProcess.Check("compiling daxprobe", "gcc", ["-O2", "-static", "-Wall", "-pthread", "-o", Path.Combine(root, "usr", "bin", "daxprobe"), "daxprobe.c", "agent.c", "files.c"], sources);
        WriteExecutable(Path.Combine(root, "init"), GuestAssets.Init);
        File.WriteAllText(Path.Combine(root, "oracle", "lib.sh"), GuestAssets.Library);
        Cpio.Pack(root, initramfs);
        File.Copy(FindVmlinuz(tree, kver), vmlinuz, overwrite: true);
        File.WriteAllText(stamp, GuestAssets.Fingerprint + "\n");
        return new BootImage(kernel, kver, vmlinuz, initramfs);
    }

    /// <summary>Writes a file with mode 0755.</summary>
    public static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        if (OperatingSystem.IsWindows())
        {
            throw new OracleException("the oracle runs on Linux hosts only");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private static void CopyModules(string tree, string kver, string root)
    {
        // modprobe -d wants <dir>/lib/modules; a usrmerged package has only usr/lib/modules
        if (!Directory.Exists(Path.Combine(tree, "lib", "modules")) && Directory.Exists(Path.Combine(tree, "usr", "lib", "modules")) && !Path.Exists(Path.Combine(tree, "lib")))
        {
            File.CreateSymbolicLink(Path.Combine(tree, "lib"), "usr/lib");
        }

        if (!File.Exists(Path.Combine(tree, "lib", "modules", kver, "modules.dep")))
        {
            HostProcess.Check("depmod", "depmod", ["-b", tree, kver]);
        }

        var order = new List<string>();
        foreach (var module in Modules)
        {
            var r = HostProcess.Run("modprobe", ["-C", "/dev/null", "-d", tree, "-S", kver, "--show-depends", module]);
            if (!r.Ok)
            {
                // built into this kernel (or absent): nothing to load
                continue;
            }

            foreach (var line in r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || parts[0] != "insmod")
                {
                    continue;
                }

                var file = parts[1];
                var name = Path.GetFileName(file);
                name = name.EndsWith(".xz", StringComparison.Ordinal) || name.EndsWith(".zst", StringComparison.Ordinal) ? Path.GetFileNameWithoutExtension(name) : name;
                if (order.Contains(name))
                {
                    continue;
                }

                var target = Path.Combine(root, "modules", name);
                if (file.EndsWith(".xz", StringComparison.Ordinal))
                {
                    HostProcess.Check($"xz -d {name}", "/bin/sh", ["-c", "xz -dc \"$1\" > \"$2\"", "sh", file, target]);
                }
                else if (file.EndsWith(".zst", StringComparison.Ordinal))
                {
                    HostProcess.Check($"zstd -d {name}", "/bin/sh", ["-c", "zstd -dcq \"$1\" > \"$2\"", "sh", file, target]);
                }
                else
                {
                    File.Copy(file, target, overwrite: true);
                }

                order.Add(name);
            }
        }

        File.WriteAllLines(Path.Combine(root, "modules", "order"), order);
    }

    private static void CopyTool(string tool, string root)
    {
        var path = HostProcess.Which(tool) ?? throw new OracleException($"{tool} is not installed");
        File.Copy(path, Path.Combine(root, "usr", "bin", tool), overwrite: true);
        var ldd = HostProcess.Run("ldd", [path]);
        foreach (var line in ldd.Output.Split('\n'))
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var lib = parts.Length >= 3 && parts[1] == "=>" ? parts[2] : parts.Length >= 1 && parts[0].StartsWith('/') ? parts[0] : null;
            if (lib is null || !File.Exists(lib))
            {
                continue;
            }

            var target = root + lib;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!File.Exists(target))
            {
                File.Copy(new FileInfo(lib).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? lib, target);
            }
        }
    }

    private static string FindVmlinuz(string tree, string kver) =>
        new[] { Path.Combine(tree, "boot", $"vmlinuz-{kver}"), Path.Combine(tree, "lib", "modules", kver, "vmlinuz"), Path.Combine(tree, "usr", "lib", "modules", kver, "vmlinuz") }
            .FirstOrDefault(File.Exists) ?? throw new OracleException($"no vmlinuz for {kver} in the kernel package");
}
