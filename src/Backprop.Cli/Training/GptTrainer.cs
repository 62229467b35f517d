using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Cli.Models;
using Backprop.Data;
using Backprop.Distributed;
using Backprop.IO;
using Backprop.Models;
using Backprop.NN;
using Backprop.Optim;
using Spectre.Console;

namespace Backprop.Cli.Training;

/// <summary>
/// `backprop train --model gpt`: a character-level GPT trained on a text file for a number of steps of
/// random windows, with the validation loss measured at intervals on the held-out end of the text. Writes
/// model.safetensors (weights, shape and vocabulary), checkpoint.safetensors (and the optimizer's state)
/// and history.csv into the run folder.
/// </summary>
/// <remarks>
/// Over several ranks (<c>--distributed</c>), every rank draws the same batch of windows and trains on its
/// slice of it, <see cref="DistributedDataParallel"/> averages the gradients, and one all-reduce per step
/// averages the loss and tells every rank whether any was interrupted. Rank 0 alone writes files.
/// </remarks>
internal sealed class GptTrainer(IAnsiConsole console, GptOptions options, string outDir, ICommunicator communicator, CancellationToken stop)
{
    public const string ModelFileName = "model.safetensors";
    public const string CheckpointFileName = "checkpoint.safetensors";
    public const string HistoryFileName = "history.csv";

    /// <summary>What a run trains: the text's windows, the model and its optimizer.</summary>
    internal sealed record Setup(CharVocabulary Vocabulary, TextWindows Train, TextWindows Validation, Gpt Model, AdamW Optimizer, Generator Generator);

    /// <summary>Reads the text and builds the model and optimizer of <paramref name="options"/>.</summary>
    public static Setup Prepare(GptOptions options)
    {
        if (!File.Exists(options.Data))
        {
            throw new FileNotFoundException($"--data: '{options.Data}' is not a file; --model gpt trains on a UTF-8 text file (default: the bundled Tiny Shakespeare).", options.Data);
        }

        var bytes = File.ReadAllBytes(options.Data);
        var bom = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, bom, bytes.Length - bom);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFileException(options.Data, bom + (long)e.Index, "not UTF-8 text (an invalid byte); --model gpt reads UTF-8", e);
        }

        var vocabulary = CharVocabulary.FromText(text);
        var tokens = vocabulary.Encode(text);
        var split = (int)((1 - options.ValidationFraction) * tokens.Length);
        if (split <= options.Context || tokens.Length - split <= options.Context)
        {
            throw new ArgumentException($"{options.Data}: {tokens.Length:N0} characters are too few for windows of {options.Context} in both the training part and the held-out {options.ValidationFraction:P0}; use a longer text or a smaller --context.");
        }

        var generator = new Generator(options.Seed);
        var model = new Gpt(new GptConfig(vocabulary.Count, options.Context, options.Width, options.Depth, options.Heads, options.Dropout), generator);
        var optimizer = new AdamW(
            [
                new ParamGroup(model.Parameters().Where(p => p.Rank >= 2)) { ["weight_decay"] = options.WeightDecay },
                new ParamGroup(model.Parameters().Where(p => p.Rank < 2)) { ["weight_decay"] = 0f },
            ],
            options.LearningRate,
            0.9f,
            0.99f);
        return new Setup(vocabulary, new TextWindows(tokens[..split], options.Context), new TextWindows(tokens[split..], options.Context), model, optimizer, generator);
    }

    /// <summary>One training step on a batch of windows: forward, cross-entropy, backward, clipping, AdamW. Returns the loss.</summary>
    public static float Step(Gpt model, AdamW optimizer, Batch batch, float clipGradNorm)
    {
        using var scope = Tensor.NewScope();
        var loss = MeanCrossEntropy(model, batch);
        var value = loss.Item();
        optimizer.ZeroGrad();
        loss.Backward();
        if (clipGradNorm > 0f)
        {
            GradClip.ClipGradNorm(model.Parameters(), clipGradNorm);
        }

        optimizer.Step();
        return value;
    }

    /// <summary>The mean loss over <paramref name="batches"/> random batches, in evaluation mode, without gradients.</summary>
    public static double Loss(Gpt model, TextWindows windows, int batches, int batchSize, Generator generator)
    {
        var wasTraining = model.Training;
        model.Eval();
        using var noGrad = Tensor.NoGrad();
        var sum = 0.0;
        for (var i = 0; i < batches; i++)
        {
            using var scope = Tensor.NewScope();
            sum += MeanCrossEntropy(model, windows.Sample(batchSize, generator)).Item();
        }

        model.Train(wasTraining);
        return sum / batches;
    }

    /// <summary>The mean next-token cross-entropy of the model's logits for a batch of windows.</summary>
    private static Tensor MeanCrossEntropy(Gpt model, Batch batch) =>
        Tensor.CrossEntropy(model.Forward(batch.Input).Reshape(-1, model.Config.VocabSize), batch.Target.Reshape(-1)).Mean();

    /// <summary>Trains, from the start or from a checkpoint of an earlier run of the same options; returns whether it was interrupted.</summary>
    public bool Run(Checkpoint? resume = null)
    {
        // The ranks on one machine share its cores.
        var localRanks = communicator.LocalSize();
        Threads.Count = options.Threads > 0 ? options.Threads : Communicator.ThreadsPerRank(localRanks);
        var setup = Prepare(options);
        var (model, optimizer) = (setup.Model, setup.Optimizer);
        var ranks = communicator.Size;
        if (options.BatchSize % ranks != 0)
        {
            throw new ArgumentException($"--batch-size {options.BatchSize} is the global batch, split equally among the {ranks} ranks; use a multiple of {ranks}.");
        }

        communicator.CheckSame("the training options", JsonSerializer.Serialize(options with { Threads = 0 }, MetadataJson.Default.GptOptions));
        using var parallel = ranks > 1 ? new DistributedDataParallel(model, communicator, overlap: Communicator.HasSpareCore(localRanks)) : null;
        var figures = new double[2];
        if (communicator.Rank == 0)
        {
            Directory.CreateDirectory(outDir);
        }

        var state = new GptRunState(options.Seed);
        if (resume is not null)
        {
            model.LoadStateDict(resume.Model);
            optimizer.LoadStateDict(resume.Optimizer);
            state.Restore(resume.Metadata, setup.Generator);
            console.MarkupLine($"Resuming at step {state.Step + 1} of {options.Steps}.");
        }

        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"GPT: {options.Depth} layers, {options.Heads} heads, width {options.Width}, context {options.Context}, {setup.Vocabulary.Count} characters, {model.ParameterCount():N0} parameters")));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"data: {options.Data}, {setup.Train.Count + options.Context:N0} training and {setup.Validation.Count + options.Context:N0} validation characters; AdamW lr {options.LearningRate} (warm-up {options.WarmupSteps}, cosine), batch {options.BatchSize}, {options.Steps} steps, seed {options.Seed}, {Threads.Count} thread{(Threads.Count == 1 ? "" : "s")}{(ranks > 1 ? $" per rank, {ranks} ranks of {options.BatchSize / ranks} windows each" : "")}")));

        var interrupted = false;
        var watch = Stopwatch.StartNew();
        var tokensSince = 0L;
        void Train(ProgressTask? task)
        {
            task?.Increment(state.Step);
            for (var step = state.Step; step < options.Steps; step++)
            {
                var lr = options.LearningRateAt(step);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = lr;
                }

                float loss;
                try
                {
                    loss = Step(model, optimizer, setup.Train.Sample(options.BatchSize, setup.Generator, communicator.Rank, ranks), options.ClipGradNorm);
                    figures[0] = loss;
                    figures[1] = stop.IsCancellationRequested ? 1 : 0;
                    communicator.AllReduce<double>(figures, ReduceOp.Sum);
                }
                catch (CommunicatorException e)
                {
                    throw CommunicatorException.At($"step {step + 1}", e);
                }

                if (!float.IsFinite(loss))
                {
                    throw new TrainingDivergedException($"the loss became {loss} at step {step + 1}; {(state.History.Count > 0 ? $"the checkpoint of step {state.History[^1].Step} is kept in {Path.Combine(outDir, CheckpointFileName)}" : "no checkpoint was written yet")}. Try a lower --lr (now {options.LearningRate.ToString(CultureInfo.InvariantCulture)}).");
                }

                // The loss averaged over the ranks; any rank's Ctrl-C stops all of them after this step.
                state.Add((float)(figures[0] / ranks));
                state.Step = step + 1;
                tokensSince += options.BatchSize * options.Context;
                var rate = tokensSince / watch.Elapsed.TotalSeconds;
                if (state.Step % options.EvalInterval == 0 || state.Step == options.Steps)
                {
                    var validation = Loss(model, setup.Validation, options.EvalBatches, options.BatchSize, state.EvalGenerator);
                    state.History.Add(new(state.Step, state.RecentLoss, validation, lr, rate));
                    Save(setup, state);
                    var line = string.Create(CultureInfo.InvariantCulture, $"step {state.Step,5}/{options.Steps}  train loss {state.RecentLoss:F4}  val loss {validation:F4}  {rate:N0} tokens/s");
                    if (task is null)
                    {
                        console.WriteLine(line);
                    }
                    else
                    {
                        console.MarkupLine(Markup.Escape(line));
                    }

                    watch.Restart();
                    tokensSince = 0;
                }

                task?.Increment(1);
                task?.Description = string.Create(CultureInfo.InvariantCulture, $"step {state.Step}/{options.Steps}  loss {state.RecentLoss:F4}  {rate:N0} tokens/s  lr {lr:G3}");
                if (figures[1] > 0 && state.Step < options.Steps)
                {
                    // Saved without a validation pass, so that the resumed run measures at the steps an unbroken one does.
                    SaveCheckpoint(setup, state);
                    interrupted = true;
                    return;
                }
            }
        }

        if (console.Profile.Capabilities.Interactive)
        {
            console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx => Train(ctx.AddTask("training", maxValue: options.Steps)));
        }
        else
        {
            Train(null);
        }

        var modelPath = Path.Combine(outDir, ModelFileName);
        if (interrupted)
        {
            var checkpoint = Path.Combine(outDir, CheckpointFileName);
            console.MarkupLine($"[yellow]Interrupted at step {state.Step}; checkpoint saved.[/] Resume with: [bold]backprop train --resume {Markup.Escape(checkpoint)}[/]");
            return true;
        }

        console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"validation loss [bold]{state.History[^1].Validation:F4}[/] after {state.Step} steps; model: {Markup.Escape(modelPath)}"));
        console.MarkupLine($"Sample from it with: [bold]backprop generate --model {Markup.Escape(modelPath)}[/]");
        return false;
    }

    /// <summary>Writes the model, the checkpoint and the history after a validation pass.</summary>
    private void Save(Setup setup, GptRunState state)
    {
        if (communicator.Rank != 0)
        {
            return;
        }

        var last = state.History[^1];
        GptFile.Save(Path.Combine(outDir, ModelFileName), setup.Model, setup.Vocabulary, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["steps"] = state.Step.ToString(CultureInfo.InvariantCulture),
            ["val_loss"] = last.Validation.ToString("R", CultureInfo.InvariantCulture),
            ["data"] = Path.GetFileName(options.Data),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
        });
        SaveCheckpoint(setup, state);
        var bytes = Encoding.UTF8.GetBytes(state.HistoryCsv());
        AtomicFile.Write(Path.Combine(outDir, HistoryFileName), stream => stream.Write(bytes));
    }

    /// <summary>The checkpoint: weights, AdamW's state, and in the metadata the options and everything the loop carries.</summary>
    private void SaveCheckpoint(Setup setup, GptRunState state)
    {
        if (communicator.Rank != 0)
        {
            return;
        }

        var metadata = state.ToMetadata(setup.Generator);
        metadata["model"] = GptFile.Kind;
        metadata["gpt_options"] = JsonSerializer.Serialize(options, MetadataJson.Default.GptOptions);
        new Checkpoint(setup.Model.StateDict(), setup.Optimizer.StateDict(), metadata).Save(Path.Combine(outDir, CheckpointFileName));
    }
}
