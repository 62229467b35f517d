using System.Globalization;
using System.Text.Json;
using Backprop.Cli.Models;
using Backprop.Data;

namespace Backprop.Cli.Training;

/// <summary>The data a run trains and tests on: MNIST from a directory, or a CSV file split into train and validation.</summary>
internal sealed record TrainingData(Dataset Train, Dataset Test, int Features, int Classes, string Description, string TestName, Standardizer? Standardizer)
{
    /// <summary>Where the bundled MNIST is looked for when --data is not given: beside the program, then up from the working directory.</summary>
    public static string DefaultMnistDirectory() => Bundled("mnist");

    /// <summary>A bundled file or folder under data/: beside the program, then up from the working directory (the path beside the program when neither has it).</summary>
    public static string Bundled(params string[] parts)
    {
        var relative = Path.Combine(["data", .. parts]);
        var beside = Path.Combine(AppContext.BaseDirectory, relative);
        if (Path.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Path.Exists(candidate))
            {
                return candidate;
            }
        }

        return beside;
    }

    /// <summary>Loads the data an options record names.</summary>
    public static TrainingData Load(TrainOptions options, Generator generator)
    {
        var path = options.Data ?? DefaultMnistDirectory();
        if (File.Exists(path) && path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            return LoadCsv(path, options, generator);
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"--data: '{path}' is neither an MNIST directory nor a .csv file.", path);
        }

        if (options.Label is not null)
        {
            throw new ArgumentException($"--label names a CSV column, but --data '{path}' is an MNIST directory.");
        }

        var (train, test) = Mnist.LoadTrainAndTest(path);
        if (options.Limit > 0)
        {
            train = train.Take(options.Limit);
            test = test.Take(Math.Max(1, options.Limit / 6));
        }

        return new TrainingData(train, test, train.Features, Mnist.Classes, $"MNIST ({train.Count:N0} training, {test.Count:N0} test images)", "test", null);
    }

    /// <summary>The metadata a model file keeps so that predict can prepare its inputs the same way.</summary>
    public IEnumerable<KeyValuePair<string, string>> ToMetadata()
    {
        yield return new("classes", Classes.ToString(CultureInfo.InvariantCulture));
        if (Standardizer is not null)
        {
            yield return new("feature_mean", JsonSerializer.Serialize(Standardizer.Mean, MetadataJson.Default.IReadOnlyListSingle));
            yield return new("feature_std", JsonSerializer.Serialize(Standardizer.Std, MetadataJson.Default.IReadOnlyListSingle));
        }
    }

    private static TrainingData LoadCsv(string path, TrainOptions options, Generator generator)
    {
        if (options.Label is null)
        {
            throw new ArgumentException($"--data '{path}' is a CSV file: name its label column with --label COLUMN.");
        }

        var csv = CsvData.Load(path, options.Label);
        if (!csv.LabelsAreClasses)
        {
            throw new ArgumentException($"{path}: the label column '{options.Label}' must hold class indices 0, 1, 2, … (whole numbers below 16,777,216) for classification.");
        }

        var classes = (int)csv.Labels!.Max().Item() + 1;
        var all = new TensorDataset(csv.Features, csv.ClassLabels!);
        if (options.Limit > 0)
        {
            all = all.Take(options.Limit);
        }

        var parts = all.RandomSplit([1f - options.ValidationFraction, options.ValidationFraction], generator);
        var trainRows = parts[0].GetBatch([.. Enumerable.Range(0, parts[0].Count)]);
        var testRows = parts[1].GetBatch([.. Enumerable.Range(0, parts[1].Count)]);
        var standardizer = Standardizer.Fit(trainRows.Input);
        var train = new TensorDataset(standardizer.Apply(trainRows.Input), trainRows.Target);
        var test = new TensorDataset(standardizer.Apply(testRows.Input), testRows.Target);
        return new TrainingData(train, test, csv.FeatureNames.Count, classes, $"{Path.GetFileName(path)} ({train.Count:N0} training, {test.Count:N0} validation rows, {classes} classes)", "validation", standardizer);
    }
}
