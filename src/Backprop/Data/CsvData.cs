using System.Globalization;

namespace Backprop.Data;

/// <summary>
/// Numeric tabular data from a CSV file with a header line: one column is the label, the others are
/// features. Values are parsed with the invariant culture; quotes around fields are removed.
/// </summary>
public sealed class CsvData
{
    private CsvData(string path, string[] featureNames, string? labelName, Tensor features, Tensor? labels)
    {
        Path = path;
        FeatureNames = featureNames;
        LabelName = labelName;
        Features = features;
        Labels = labels;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The feature columns' names, in order.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The label column's name, or null when every column is a feature.</summary>
    public string? LabelName { get; }

    /// <summary>The features, [N, F].</summary>
    public Tensor Features { get; }

    /// <summary>The labels, [N], or null when every column is a feature.</summary>
    public Tensor? Labels { get; }

    /// <summary>True when there are labels and every one is a whole number in [0, 2^24), so that they can be class indices.</summary>
    public bool LabelsAreClasses => Labels is not null && Labels.Span.ToArray().All(v => v >= 0 && v < MaxClassIndex && v == MathF.Floor(v));

    /// <summary>Labels at or above 2^24 cannot be class indices: float32 no longer holds every whole number there.</summary>
    public const float MaxClassIndex = 1 << 24;

    /// <summary>The labels as int64 class indices, for a classification loss; null when <see cref="LabelsAreClasses"/> is false.</summary>
    public Tensor? ClassLabels => LabelsAreClasses ? Labels!.Long() : null;

    /// <summary>Reads a CSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="labelColumn">The name of the label column (as in the header), or null when every column is a feature.</param>
    /// <returns>The data.</returns>
    public static CsvData Load(string path, string? labelColumn)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || string.IsNullOrWhiteSpace(lines[0]))
        {
            throw new DataFileException(path, 0, "expected a header line naming the columns, found an empty file.");
        }

        var header = Split(lines[0]);
        for (var c = 0; c < header.Length; c++)
        {
            var first = Array.IndexOf(header, header[c]);
            if (first != c)
            {
                throw new DataFileException(path, 0, $"line 1: the column '{header[c]}' appears twice (columns {first + 1} and {c + 1}); name every column once.");
            }
        }

        var labelIndex = labelColumn is null ? -1 : Array.IndexOf(header, labelColumn);
        if (labelColumn is not null && labelIndex < 0)
        {
            throw new DataFileException(path, 0, $"the label column '{labelColumn}' is not in the header (columns: {string.Join(", ", header)}).");
        }

        var featureNames = header.Where((_, i) => i != labelIndex).ToArray();
        var features = new List<float>();
        var labels = new List<float>();
        for (var line = 1; line < lines.Length; line++)
        {
            if (string.IsNullOrWhiteSpace(lines[line]))
            {
                continue;
            }

            var fields = Split(lines[line]);
            if (fields.Length != header.Length)
            {
                throw new DataFileException(path, -1, $"line {line + 1}: expected {header.Length} fields as in the header, found {fields.Length}.");
            }

            for (var c = 0; c < fields.Length; c++)
            {
                if (!float.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                {
                    throw new DataFileException(path, -1, $"line {line + 1}, column '{header[c]}': expected a finite number, found '{fields[c]}'.");
                }

                (c == labelIndex ? labels : features).Add(value);
            }
        }

        var rows = features.Count / Math.Max(1, featureNames.Length);
        if (rows == 0)
        {
            throw new DataFileException(path, -1, "expected at least one data line after the header, found none.");
        }

        var labelTensor = labelColumn is null ? null : Tensor.FromArray([.. labels], rows);
        return new CsvData(path, featureNames, labelColumn, Tensor.FromArray([.. features], rows, featureNames.Length), labelTensor);
    }

    private static string[] Split(string line) => line.Split(',').Select(f => f.Trim().Trim('"').Trim()).ToArray();
}
