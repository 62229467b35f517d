using System.Reflection;
using System.Xml.Linq;

namespace Backprop.Tests.Docs;

/// <summary>
/// The XML documentation that ships beside Backprop.dll (and in its package) covers every type a consumer can
/// see and nothing else: build/PublicDocs drops the comments of internal and private members after compiling.
/// </summary>
public class PackageDocsTests
{
    [Fact]
    public void TheDocumentationFileHoldsThePublicTypesAndOnlyThem()
    {
        var assembly = typeof(Tensor).Assembly;
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        var names = XDocument.Load(path).Descendants("member").Select(m => (string)m.Attribute("name")!).ToHashSet();
        var types = assembly.GetTypes().Where(t => !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute))).ToList();
        var documented = names.Where(n => n.StartsWith("T:", StringComparison.Ordinal)).Select(n => n[2..]).ToHashSet();
        string DocName(Type t) => t.FullName!.Replace('+', '.');

        Assert.Empty(types.Where(t => t.IsVisible && !documented.Contains(DocName(t))).Select(DocName));
        Assert.Empty(types.Where(t => !t.IsVisible && documented.Contains(DocName(t))).Select(DocName));
        Assert.Contains("M:Backprop.Tensor.Backward", names);

        // Members of public types that callers cannot reach are gone too (Tensor's internal storage accessor).
        Assert.NotNull(typeof(Tensor).GetProperty("RawStorage", BindingFlags.NonPublic | BindingFlags.Instance));
        Assert.DoesNotContain(names, n => n.StartsWith("P:Backprop.Tensor.RawStorage", StringComparison.Ordinal));
    }
}
