using System.Globalization;

namespace Backprop.Cli.Benchmarks;

/// <summary>One named value of a workload's result.</summary>
internal sealed record Field(string Key, object Value);

/// <summary>What one workload measured, printed as one JSON line in the peers' shape.</summary>
internal sealed record Figure(string Workload, List<Field> Fields)
{
    public string ToJson()
    {
        var values = new Dictionary<string, object> { ["fw"] = "backprop", ["wl"] = Workload, ["path"] = Kernels.MicroKernel.Path };
        foreach (var field in Fields)
        {
            values[field.Key] = field.Value is double d ? Math.Round(d, 4) : field.Value;
        }

        return JsonTree.From(values)!.ToJsonString();
    }

    public string Describe() => string.Join(", ", Fields.Select(f => $"{f.Key} {(f.Value is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : f.Value)}"));
}
