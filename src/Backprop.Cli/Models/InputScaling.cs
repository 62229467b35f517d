using System.Text.Json;
using Backprop.Data;

namespace Backprop.Cli.Models;

/// <summary>Prepares raw features the way the model was trained on them (CSV features are standardised with the training statistics).</summary>
internal static class InputScaling
{
    /// <summary>The standardiser a model file's metadata records, or null (MNIST pixels are only scaled to [0, 1]).</summary>
    public static Standardizer? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("feature_mean", out var mean) || !metadata.TryGetValue("feature_std", out var std))
        {
            return null;
        }

        return new Standardizer(
            JsonSerializer.Deserialize(mean, MetadataJson.Default.SingleArray) ?? throw new ArgumentException("feature_mean in the model's metadata is empty."),
            JsonSerializer.Deserialize(std, MetadataJson.Default.SingleArray) ?? throw new ArgumentException("feature_std in the model's metadata is empty."));
    }

    /// <summary>Loads labelled evaluation data: an MNIST directory's test set, or a CSV file with a label column.</summary>
    public static TensorDataset LoadLabelled(string path, string? label, IReadOnlyDictionary<string, string> metadata)
    {
        if (File.Exists(path) && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            if (label is null)
            {
                throw new ArgumentException($"--data '{path}' is a CSV file: name its label column with --label COLUMN.");
            }

            var csv = CsvData.Load(path, label);
            var labels = csv.ClassLabels ?? throw new ArgumentException($"{path}: the label column '{label}' must hold class indices 0, 1, 2, ….");
            var scaling = FromMetadata(metadata);
            return new TensorDataset(scaling is null ? csv.Features : scaling.Apply(csv.Features), labels);
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"--data: '{path}' is neither an MNIST directory nor a .csv file.", path);
        }

        var test = Mnist.Load(path, train: false);
        return new TensorDataset(test.Inputs, test.Targets);
    }
}
