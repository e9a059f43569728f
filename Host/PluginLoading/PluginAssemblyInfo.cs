using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using DaxHolder.Abstractions.Plugins;

namespace DaxHolder.Host.PluginLoading;

/// <summary>
/// What a plugin assembly's metadata says, read without loading or running it: its identity,
/// the contract version it was compiled against, the assemblies it references, and whether it
/// names an entry point with [assembly: DaxHolderPlugin].
/// </summary>
internal sealed record PluginAssemblyInfo(
    string Path,
    AssemblyName Identity,
    string? InformationalVersion,
    Version? ContractVersion,
    bool DeclaresEntryPoint,
    IReadOnlyList<AssemblyName> References)
{
    private static readonly string EntryAttributeName = nameof(DaxHolderPluginAttribute);
    private static readonly string EntryAttributeNamespace = typeof(DaxHolderPluginAttribute).Namespace!;

    /// <summary>Reads <paramref name="path"/>; null if the file is not a .NET assembly.</summary>
    public static PluginAssemblyInfo? TryRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return null;
            }

            var md = pe.GetMetadataReader();
            if (!md.IsAssembly)
            {
                return null;
            }

            var references = md.AssemblyReferences.Select(h => md.GetAssemblyReference(h).GetAssemblyName()).ToList();
            var contract = references.FirstOrDefault(r => r.Name == DaxHolderContract.AssemblyName)?.Version;
            var (declares, informational) = ReadAssemblyAttributes(md);
            return new PluginAssemblyInfo(path, md.GetAssemblyDefinition().GetAssemblyName(), informational, contract, declares, references);
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    private static (bool DeclaresEntryPoint, string? InformationalVersion) ReadAssemblyAttributes(MetadataReader md)
    {
        var declares = false;
        string? informational = null;
        foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = md.GetCustomAttribute(handle);
            var (ns, name) = AttributeTypeName(md, attribute);
            if (ns == EntryAttributeNamespace && name == EntryAttributeName)
            {
                declares = true;
            }
            else if (ns == "System.Reflection" && name == nameof(AssemblyInformationalVersionAttribute))
            {
                informational = ReadSingleStringArgument(md, attribute);
            }
        }

        return (declares, informational);
    }

    private static (string Namespace, string Name) AttributeTypeName(MetadataReader md, CustomAttribute attribute)
    {
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
        {
            var parent = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind == HandleKind.TypeReference)
            {
                var type = md.GetTypeReference((TypeReferenceHandle)parent);
                return (md.GetString(type.Namespace), md.GetString(type.Name));
            }
        }
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
        {
            var type = md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
            return (md.GetString(type.Namespace), md.GetString(type.Name));
        }

        return ("", "");
    }

    /// <summary>The string argument of an attribute whose constructor takes one string (prolog 0x0001, then a SerString).</summary>
    private static string? ReadSingleStringArgument(MetadataReader md, CustomAttribute attribute)
    {
        var blob = md.GetBlobReader(attribute.Value);
        return blob.Length >= 2 && blob.ReadUInt16() == 1 ? blob.ReadSerializedString() : null;
    }
}
