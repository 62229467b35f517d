namespace Backprop.Data;

/// <summary>The MNIST handwritten digits, read from the four IDX files (plain or .gz) in a directory.</summary>
public static class Mnist
{
    /// <summary>The number of classes.</summary>
    public const int Classes = 10;

    /// <summary>
    /// Loads the training (60,000) or test (10,000) set: batches of inputs [B, 784] scaled to [0, 1] and
    /// targets [B] holding the digit as an int64 class index.
    /// </summary>
    /// <param name="directory">The directory holding train-images-idx3-ubyte(.gz) and the others.</param>
    /// <param name="train">True for the training set, false for the test set.</param>
    /// <returns>The dataset.</returns>
    public static MnistDataset Load(string directory, bool train)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dims.Count != 3)
        {
            throw new DataFileException(imagesPath, 3, $"expected 3 dimensions (count, rows, columns), found {images.Dims.Count}.");
        }

        if (labels.Dims.Count != 1 || labels.Dims[0] != images.Dims[0])
        {
            throw new DataFileException(labelsPath, 4, $"expected {images.Dims[0]} labels to match the images, found dimensions [{string.Join(',', labels.Dims)}].");
        }

        var n = images.Dims[0];
        var labelBytes = labels.Data.Span;
        var y = new long[n];
        for (var i = 0; i < n; i++)
        {
            if (labelBytes[i] >= Classes)
            {
                throw new DataFileException(labelsPath, 8 + i, $"expected a digit label 0-9, found {labelBytes[i]}.");
            }

            y[i] = labelBytes[i];
        }

        return new MnistDataset(images.Data, Tensor.Wrap(y, [n]), images.Dims[1], images.Dims[2]);
    }

    /// <summary>
    /// Loads the training and the test set at the same time, each on its own thread, as start-up wants them.
    /// </summary>
    /// <param name="directory">The directory holding the four IDX files.</param>
    /// <returns>The training (60,000) and test (10,000) sets.</returns>
    public static (MnistDataset Train, MnistDataset Test) LoadTrainAndTest(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var test = Task.Run(() => Load(directory, train: false));
        var train = Load(directory, train: true);
        return (train, test.GetAwaiter().GetResult());
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"MNIST: neither {name} nor {name}.gz is in '{directory}'.", Path.Combine(directory, name));
    }
}
