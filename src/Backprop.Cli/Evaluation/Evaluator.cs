using Backprop.Data;
using Backprop.NN;
using Backprop.NN.Losses;

namespace Backprop.Cli.Evaluation;

/// <summary>Runs a classifier over a dataset without recording a graph.</summary>
internal static class Evaluator
{
    /// <summary>The mean loss, the accuracy, and every prediction with its target.</summary>
    public static EvaluationResult Run(Module model, Dataset data, Func<Tensor, Tensor, Tensor> loss, int batchSize = 1000)
    {
        var wasTraining = model.Training;
        model.Eval();
        var predictions = new int[data.Count];
        var targets = new int[data.Count];
        double totalLoss = 0;
        var index = 0;
        using (Tensor.NoGrad())
        {
            foreach (var batch in new DataLoader(data, batchSize))
            {
                var output = model.Forward(batch.Input);
                totalLoss += loss(output, batch.Target).Item() * batch.Target.Size(0);
                var rows = Argmax(output);
                for (var i = 0; i < rows.Length; i++)
                {
                    predictions[index] = rows[i];
                    targets[index] = (int)batch.Target.Span[i];
                    index++;
                }
            }
        }

        model.Train(wasTraining);
        var correct = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            correct += predictions[i] == targets[i] ? 1 : 0;
        }

        var n = Math.Max(1, data.Count);
        return new EvaluationResult(totalLoss / n, correct / (double)n, predictions, targets);
    }

    /// <summary>The index of the largest score in each row of [N, C] scores.</summary>
    public static int[] Argmax(Tensor scores)
    {
        int rows = scores.Size(0), columns = scores.Size(1);
        var result = new int[rows];
        var data = scores.Span;
        for (var r = 0; r < rows; r++)
        {
            result[r] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(data.Slice(r * columns, columns));
        }

        return result;
    }

    /// <summary>The loss function for a loss name, taking class-index targets (one-hot for the squared errors).</summary>
    public static Func<Tensor, Tensor, Tensor> LossFunction(string name, int classes, float labelSmoothing) => name switch
    {
        "cross-entropy" => new CrossEntropyLoss(labelSmoothing: labelSmoothing).Forward,
        "mse" => (output, target) => new MSELoss().Forward(output, OneHot(target, classes)),
        "half-squared" => (output, target) => new HalfSquaredError().Forward(output, OneHot(target, classes)),
        _ => throw new ArgumentException($"--loss: '{name}' is not one of cross-entropy, mse, half-squared."),
    };

    /// <summary>[N] class indices as [N, C] one-hot rows.</summary>
    public static Tensor OneHot(Tensor target, int classes)
    {
        var n = target.Size(0);
        var data = new float[n * classes];
        for (var i = 0; i < n; i++)
        {
            var label = target.Span[i];
            if (label < 0 || label >= classes || label != MathF.Floor(label))
            {
                throw new ArgumentException($"OneHot: target {label} at position {i} is not a class index in [0, {classes}).");
            }

            data[(i * classes) + (int)label] = 1f;
        }

        return Tensor.FromArray(data, n, classes);
    }
}
