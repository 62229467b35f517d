using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Backprop.Cli.Evaluation;
using Backprop.Cli.Models;
using Backprop.Cli.Plots;
using Backprop.Data;
using Backprop.Distributed;
using Backprop.IO;
using Backprop.NN;
using Backprop.Optim;
using Spectre.Console;

namespace Backprop.Cli.Training;

/// <summary>
/// The training loop of `backprop train`: forward, loss, backward, optimizer step, batch after batch,
/// with a live progress bar, an evaluation after every epoch, a checkpoint after every epoch (and on
/// Ctrl-C), and the model, plot and history written at the end.
/// </summary>
/// <remarks>
/// Over several ranks (<c>--distributed</c>), every rank builds the same model and trains on its share of each
/// global batch (a <see cref="DistributedSampler"/>), <see cref="DistributedDataParallel"/> averages the
/// gradients, and one small all-reduce per batch sums the loss and accuracy figures and tells every rank
/// whether any was interrupted, so that they stop at the same batch. Rank 0 alone writes files.
/// </remarks>
internal sealed class Trainer(IAnsiConsole console, TrainOptions options, string outDir, ICommunicator communicator, CancellationToken stop)
{
    public const string ModelFileName = "model.safetensors";
    public const string CheckpointFileName = "checkpoint.safetensors";
    public const string PlotFileName = "training.png";
    public const string HistoryFileName = "history.csv";
    public const string BestFileName = "best.safetensors";

    /// <summary>A training loss this many times its lowest so far means the run is diverging.</summary>
    private const double DivergenceFactor = 100;

    /// <summary>Above this many parameters the run warns about the memory it will need.</summary>
    private const long LargeModel = 50_000_000;

    /// <summary>What the run did: every epoch's figures, and whether it was interrupted before the end.</summary>
    public sealed record Result(IReadOnlyList<EpochRecord> History, bool Interrupted, IReadOnlyList<float> BatchLosses);

    public Result Run(Checkpoint? resume)
    {
        var localRanks = communicator.LocalSize();
        if (options.Threads > 0)
        {
            Threads.Count = options.Threads;
        }
        else if (communicator.Size > 1)
        {
            // The ranks on one machine share its cores.
            Threads.Count = Communicator.ThreadsPerRank(localRanks);
        }

        var data = TrainingData.Load(options, new Generator(options.Seed ^ 0x5A17));
        if (options.Augment && !Augmentation.IsSquare(data.Features))
        {
            throw new ArgumentException($"--augment shifts and rotates square grey images; the data's {data.Features} features are not one.");
        }

        var spec = Network(data);
        var parameters = spec.ParameterShapes().Sum(p => p.Shape.Aggregate(1L, (n, d) => n * d));
        if (parameters > LargeModel)
        {
            // Weights, gradients and up to two optimizer buffers, 4 bytes each.
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[yellow]warning:[/] {Markup.Escape(spec.Name)} holds {parameters:N0} parameters; training it needs about {parameters * 16 / 1e9:F1} GB of memory."));
        }

        var ranks = communicator.Size;
        if (options.BatchSize % ranks != 0)
        {
            throw new ArgumentException($"--batch-size {options.BatchSize} is the global batch, split equally among the {ranks} ranks; use a multiple of {ranks}.");
        }

        communicator.CheckSame("the training options and data", $"{JsonSerializer.Serialize(options with { Threads = 0 }, MetadataJson.Default.TrainOptions)} {data.Description}");
        var generator = new Generator(options.Seed);
        var model = spec.Build(generator, options.SyncBatchNorm && ranks > 1 ? norm => SyncBatchNorm.From(norm, communicator) : null);
        // Prefetching batches and overlapping the gradients' all-reduce with backward both need a core that the ranks' kernels leave free.
        var spareCore = Communicator.HasSpareCore(localRanks);
        using var parallel = ranks > 1 ? new DistributedDataParallel(model, communicator, overlap: spareCore) : null;
        Module<Tensor, Tensor> network = parallel is null ? model : parallel;
        var optimizer = OptimizerFactory.Create(options, model.Parameters());
        var lossFn = Evaluator.LossFunction(options.Loss, data.Classes, options.LabelSmoothing);
        var loader = ranks > 1
            ? new DataLoader(data.Train, options.BatchSize / ranks, generator: generator, prefetch: spareCore, sampler: new DistributedSampler(data.Train.Count, communicator, generator: generator))
            : new DataLoader(data.Train, options.BatchSize, shuffle: true, generator: generator);
        var batches = loader.BatchCount;
        var figures = new double[4];
        var schedule = OptimizerFactory.CreateSchedule(options, optimizer, batches);

        var history = new List<EpochRecord>();
        var batchLosses = new List<float>();
        int startEpoch = 0, skipBatches = 0;
        (double LossSum, long Seen, long Correct) resumedPartial = default;
        if (resume is not null)
        {
            model.LoadStateDict(resume.Model);
            optimizer.LoadStateDict(resume.Optimizer);
            startEpoch = int.Parse(resume.Metadata["epoch"], CultureInfo.InvariantCulture);
            skipBatches = int.Parse(resume.Metadata["batch"], CultureInfo.InvariantCulture);
            generator.RestoreState(resume.Metadata["generator"]);
            history.AddRange(JsonSerializer.Deserialize(resume.Metadata["history"], MetadataJson.Default.ListEpochRecord) ?? []);
            if (skipBatches > 0 && resume.Metadata.TryGetValue("partial", out var partial))
            {
                // The interrupted epoch's sums so far, so that its averages cover every batch, as without the interruption.
                var parts = partial.Split(',');
                resumedPartial = (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
            }
        }

        schedule?.Resume((startEpoch * batches) + skipBatches);
        console.MarkupLine($"[bold]Training[/] {Markup.Escape(spec.Name)} ({model.ParameterCount():N0} parameters) on {Markup.Escape(data.Description)}");
        console.MarkupLine($"[grey]{Markup.Escape(Describe())} → {Markup.Escape(outDir)}[/]");
        if (ranks > 1)
        {
            console.MarkupLine(Markup.Escape($"{ranks} ranks, {options.BatchSize / ranks} samples each per batch of {options.BatchSize}; gradients averaged in {parallel!.BucketCount} bucket{(parallel.BucketCount == 1 ? "" : "s")}"));
        }

        if (resume is not null)
        {
            console.MarkupLine($"[yellow]Resuming at epoch {startEpoch + 1}, batch {skipBatches}.[/]");
        }

        if (communicator.Rank == 0)
        {
            Directory.CreateDirectory(outDir);
        }

        for (var epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            var epochStartState = generator.SaveState();
            var watch = Stopwatch.StartNew();
            var (lossSum, seen, correct) = epoch == startEpoch ? resumedPartial : default;
            var interruptedAt = -1;
            network.Train();
            void RunEpoch(ProgressTask? task)
            {
                using var anomaly = options.DetectAnomaly ? Tensor.DetectAnomaly() : default;
                var b = 0;
                try
                {
                    foreach (var batch in loader)
                    {
                        if (b < skipBatches)
                        {
                            b++;
                            task?.Increment(1);
                            continue;
                        }

                        // The step's tensors (the batch included) give their storage back to the pool at the end of it.
                        using var scope = Tensor.NewScope();
                        scope.Attach(batch.Input);
                        scope.Attach(batch.Target);
                        var input = options.Augment ? scope.Attach(Augmentation.Apply(batch.Input, options.Seed, epoch, b)) : batch.Input;
                        var output = network.Forward(input);
                        var loss = lossFn(output, batch.Target);
                        var value = loss.Item();
                        if (!float.IsFinite(value))
                        {
                            var kept = history.Count > 0 || resume is not null
                                ? $"the last good checkpoint is kept at {Path.Combine(outDir, CheckpointFileName)}"
                                : "no checkpoint was written yet";
                            throw new TrainingDivergedException($"the loss became {value} at epoch {epoch + 1}, batch {b + 1}; {kept}. Try a lower --lr (now {options.LearningRate.ToString(CultureInfo.InvariantCulture)}) or --clip-grad-norm.");
                        }

                        optimizer.ZeroGrad();
                        loss.Backward();
                        if (options.ClipGradNorm > 0f)
                        {
                            GradClip.ClipGradNorm(model.Parameters(), options.ClipGradNorm);
                        }

                        optimizer.Step();
                        schedule?.Step();

                        var n = batch.Target.Size(0);
                        var right = 0;
                        var predicted = output.Argmax(1).AsSpan<long>();
                        var labels = batch.Target.AsSpan<long>();
                        for (var i = 0; i < n; i++)
                        {
                            right += predicted[i] == labels[i] ? 1 : 0;
                        }

                        // Over several ranks, the batch's figures are the sums over all of them, and any rank's Ctrl-C stops all at this batch.
                        figures[0] = value * (double)n;
                        figures[1] = n;
                        figures[2] = right;
                        figures[3] = stop.IsCancellationRequested ? 1 : 0;
                        communicator.AllReduce<double>(figures, ReduceOp.Sum);
                        batchLosses.Add((float)(figures[0] / figures[1]));
                        lossSum += figures[0];
                        seen += (long)figures[1];
                        correct += (long)figures[2];

                        b++;
                        task?.Increment(1);
                        task?.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{options.Epochs}  loss {lossSum / seen:F4}  acc {100.0 * correct / seen:F2}%  {seen / watch.Elapsed.TotalSeconds:N0} samples/s");
                        if (figures[3] > 0)
                        {
                            interruptedAt = b;
                            break;
                        }
                    }
                }
                catch (CommunicatorException e)
                {
                    throw CommunicatorException.At($"epoch {epoch + 1}, batch {b + 1}", e);
                }
            }

            if (console.Profile.Capabilities.Interactive)
            {
                console.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(ctx => RunEpoch(ctx.AddTask($"epoch {epoch + 1}/{options.Epochs}", maxValue: batches)));
            }
            else
            {
                RunEpoch(null);
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{options.Epochs}  loss {lossSum / Math.Max(1, seen):F4}  acc {100.0 * correct / Math.Max(1, seen):F2}%  {seen / watch.Elapsed.TotalSeconds:N0} samples/s"));
            }

            if (interruptedAt >= 0)
            {
                SaveCheckpoint(model, optimizer, epoch, interruptedAt, epochStartState, history, (lossSum, seen, correct));
                var path = Path.Combine(outDir, CheckpointFileName);
                console.MarkupLine($"[yellow]Interrupted at epoch {epoch + 1}, batch {interruptedAt}; checkpoint saved.[/] Resume with: [bold]backprop train --resume {Markup.Escape(path)}[/]");
                return new Result(history, true, batchLosses);
            }

            skipBatches = 0;
            var test = Evaluator.Run(model, data.Test, lossFn);
            if (!double.IsFinite(test.Loss))
            {
                var kept = history.Count > 0 || resume is not null
                    ? $"the last good checkpoint is kept at {Path.Combine(outDir, CheckpointFileName)}"
                    : "no checkpoint was written yet";
                throw new TrainingDivergedException($"the {data.TestName} loss became {test.Loss.ToString(CultureInfo.InvariantCulture)} at epoch {epoch + 1} (the training loss was {lossSum / Math.Max(1, seen):G4}); {kept}. The inputs may be too large to train on as they are (standardise them), or try a lower --lr (now {options.LearningRate.ToString(CultureInfo.InvariantCulture)}).");
            }

            var elapsed = watch.Elapsed.TotalSeconds;
            var record = new EpochRecord(epoch + 1, lossSum / Math.Max(1, seen), correct / (double)Math.Max(1, seen), test.Loss, test.Accuracy, optimizer.LearningRate, elapsed, seen / elapsed);
            var best = history.Count == 0 || test.Loss < history.Min(h => h.TestLoss);
            var lowest = Math.Min(batchLosses.Count > 0 ? batchLosses.Min() : double.PositiveInfinity, history.Count > 0 ? history.Min(h => h.TrainLoss) : double.PositiveInfinity);
            history.Add(record);
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  {data.TestName} loss {test.Loss:F4}  {data.TestName} accuracy [bold]{100 * test.Accuracy:F2}%[/]  ({elapsed:F1} s){(best ? $"  best so far: {BestFileName}" : "")}"));
            if (record.TrainLoss > DivergenceFactor * lowest)
            {
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[yellow]warning:[/] the training loss grew from {lowest:G4} to {record.TrainLoss:G4}: the run is diverging. {BestFileName} keeps the best epoch; try a lower --lr (now {options.LearningRate}) or --clip-grad-norm."));
            }

            if (best && communicator.Rank == 0)
            {
                ModelFile.Save(Path.Combine(outDir, BestFileName), spec, model, ModelMetadata(data, record));
            }

            SaveCheckpoint(model, optimizer, epoch + 1, 0, generator.SaveState(), history);
        }

        if (communicator.Rank == 0)
        {
            ModelFile.Save(Path.Combine(outDir, ModelFileName), spec, model, ModelMetadata(data, history.Count > 0 ? history[^1] : null));
            Charts.SaveTrainingCurves(Path.Combine(outDir, PlotFileName), history, data.TestName);
            SaveHistory(Path.Combine(outDir, HistoryFileName), history);
            PrintSummary(history, data.TestName);
        }

        return new Result(history, false, batchLosses);
    }

    private string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{options.Optimizer} lr {options.LearningRate} ({options.Schedule}), {options.Loss}, batch {options.BatchSize}, {options.Epochs} epochs, seed {options.Seed}, {Threads.Count} thread{(Threads.Count == 1 ? "" : "s")}{(communicator.Size > 1 ? " per rank" : string.Empty)}{(options.Augment ? ", augmented" : string.Empty)}");

    private void SaveCheckpoint(Module model, Optimizer optimizer, int epoch, int batch, string generatorState, List<EpochRecord> history, (double LossSum, long Seen, long Correct) partial = default)
    {
        if (communicator.Rank != 0)
        {
            return;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kind"] = "backprop-checkpoint",
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
            ["generator"] = generatorState,
            ["history"] = JsonSerializer.Serialize(history, MetadataJson.Default.ListEpochRecord),
            ["options"] = JsonSerializer.Serialize(options, MetadataJson.Default.TrainOptions),
            ["partial"] = string.Create(CultureInfo.InvariantCulture, $"{partial.LossSum:R},{partial.Seen},{partial.Correct}"),
        };
        new Checkpoint(model.StateDict(), optimizer.StateDict(), metadata).Save(Path.Combine(outDir, CheckpointFileName));
    }

    /// <summary>What a model file records of the run: the loss, the optimizer, the options, the data's scaling, and the epoch it is from.</summary>
    /// <summary>
    /// The network of this run: --model's (with an Unflatten in front for a convolution on flat rows), or the
    /// MLP of --layers and --activation; checked against the data's features and classes.
    /// </summary>
    private NetworkSpec Network(TrainingData data)
    {
        if (options.Model is null)
        {
            var mlp = MlpSpec.Parse(options.Layers, options.Activation);
            if (mlp.Inputs != data.Features || mlp.Outputs != data.Classes)
            {
                throw new ArgumentException($"--layers {mlp.LayersText}: the data has {data.Features} features and {data.Classes} classes, so the first size must be {data.Features} and the last {data.Classes}.");
            }

            return mlp.ToNetwork();
        }

        var spec = NetworkSpec.Parse(options.ModelName ?? "model", options.Model, $"--model {options.ModelName}").ForFlatInputs(data.Features);
        if (spec.Inputs >= 0 && spec.Inputs != data.Features)
        {
            throw new ArgumentException($"--model {spec.Name}: its first layer takes {spec.Inputs} features per sample, but the data has {data.Features}.");
        }

        if (spec.Outputs != data.Classes)
        {
            throw new ArgumentException(spec.Outputs < 0
                ? $"--model {spec.Name}: it must end in a Linear layer with one output per class ({data.Classes}), optionally followed by activations or dropout."
                : $"--model {spec.Name}: its last Linear gives {spec.Outputs} outputs, but the data has {data.Classes} classes.");
        }

        return spec;
    }

    private Dictionary<string, string> ModelMetadata(TrainingData data, EpochRecord? record)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["loss"] = options.Loss,
            ["optimizer"] = options.Optimizer,
            ["options"] = JsonSerializer.Serialize(options, MetadataJson.Default.TrainOptions),
            ["test_accuracy"] = record?.TestAccuracy.ToString("R", CultureInfo.InvariantCulture) ?? "",
            ["epoch"] = record?.Epoch.ToString(CultureInfo.InvariantCulture) ?? "",
        };
        foreach (var (key, value) in data.ToMetadata().Concat(options.Model is null ? MlpSpec.Parse(options.Layers, options.Activation).ToMetadata() : []))
        {
            metadata[key] = value;
        }

        return metadata;
    }

    private static void SaveHistory(string path, List<EpochRecord> history) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        writer.WriteLine("epoch,train_loss,train_accuracy,test_loss,test_accuracy,learning_rate,seconds,samples_per_second");
        foreach (var r in history)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.TestLoss:R},{r.TestAccuracy:R},{r.LearningRate:R},{r.Seconds:F3},{r.SamplesPerSecond:F0}"));
        }
    });

    private void PrintSummary(List<EpochRecord> history, string testName)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Training summary[/]");
        foreach (var column in new[] { "epoch", "train loss", "train acc", $"{testName} loss", $"{testName} acc", "lr", "seconds", "samples/s" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var r in history)
        {
            table.AddRow(
                r.Epoch.ToString(CultureInfo.InvariantCulture),
                r.TrainLoss.ToString("F4", CultureInfo.InvariantCulture),
                (100 * r.TrainAccuracy).ToString("F2", CultureInfo.InvariantCulture) + "%",
                r.TestLoss.ToString("F4", CultureInfo.InvariantCulture),
                (100 * r.TestAccuracy).ToString("F2", CultureInfo.InvariantCulture) + "%",
                r.LearningRate.ToString("G3", CultureInfo.InvariantCulture),
                r.Seconds.ToString("F1", CultureInfo.InvariantCulture),
                r.SamplesPerSecond.ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        if (history.Count > 0)
        {
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold green]{testName} accuracy {100 * history[^1].TestAccuracy:F2}%[/] after {history.Count} epochs, {history.Sum(h => h.Seconds):F1} s of training."));
        }

        if (communicator.Size > 1 && history.Count > 0)
        {
            var rate = history.Average(h => h.SamplesPerSecond);
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{rate:N0} samples/s in total over {communicator.Size} ranks, {rate / communicator.Size:N0} per rank ({communicator.Description}).")));
        }

        var bestEpoch = history.Count > 0 ? history.MinBy(h => h.TestLoss)!.Epoch : 0;
        console.MarkupLine($"Wrote {Markup.Escape(Path.Combine(outDir, ModelFileName))}, {BestFileName} (epoch {bestEpoch}, the lowest {Markup.Escape(testName)} loss), {CheckpointFileName}, {PlotFileName}, {HistoryFileName}.");
    }
}
