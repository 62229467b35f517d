using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Backprop.Data;
using Backprop.Distributed;
using Backprop.NN;
using Backprop.NN.Losses;
using Backprop.Optim;

namespace Backprop.Cli.Benchmarks;

/// <summary>
/// W10, data-parallel scaling: W2 on 1 rank × 1 thread here, then on 2 ranks × 1 thread under mpiexec over
/// shared memory, the same global batch; then W3's model on 2 ranks over TCP loopback, for the part of the
/// all-reduce that backward does not hide; then the ring all-reduce projection to 8, 16 and 32 ranks from
/// what was measured. `bench w10` starts the mpiexec runs itself (each rank runs `bench w10` again, told
/// its part by <see cref="PartVariable"/>).
/// </summary>
internal static class DistributedWorkloads
{
    private const string PartVariable = "BACKPROP_W10_PART";
    private const int Ranks = 2;
    private const int W3Batch = 1024;
    private const int W3Steps = 12;

    /// <summary>The gradient floats of W2's and W3's models.</summary>
    private const long W2Weights = (784L * 256) + 256 + (256L * 128) + 128 + (128L * 10) + 10;
    private const long W3Weights = (784L * 2048) + 2048 + (2048L * 2048) + 2048 + (2048L * 10) + 10;

    public static IEnumerable<Figure> W10(string mnistDirectory) =>
        Environment.GetEnvironmentVariable(PartVariable) switch
        {
            "scaling" => Worker(comm => [Scaling(comm, mnistDirectory)]),
            "overlap" => Worker(comm => [Overlap(comm, mnistDirectory)]),
            _ => Driver(mnistDirectory),
        };

    private static IEnumerable<Figure> Driver(string mnistDirectory)
    {
        var one = Scaling(Communicator.Local, mnistDirectory);
        var single = (double)one.Fields.First(f => f.Key == "samples_per_s").Value;
        yield return one with { Fields = [.. one.Fields, new("speedup", 1.0)] };
        var scaling = Launch("scaling", mnistDirectory, []).Single();
        var parallel = Value(scaling, "samples_per_s");
        yield return scaling with { Fields = [.. scaling.Fields, new("speedup", parallel / single)] };
        var overlap = Launch("overlap", mnistDirectory, TcpLoopback).Single();
        yield return overlap;

        // Ring all-reduce: each rank sends and receives 2·(N−1)/N of the gradient; on 2 ranks that is the gradient once.
        foreach (var (model, weights, perRank, step, allReduce, unhidden) in new[]
        {
            ("w2", W2Weights, 128 / Ranks, Value(scaling, "ms_per_step"), Value(scaling, "ms_allreduce"), 1.0),
            ("w3", W3Weights, W3Batch / Ranks, Value(overlap, "ms_local"), Value(overlap, "ms_allreduce"), Math.Clamp((Value(overlap, "ms_ddp") - Value(overlap, "ms_local")) / Value(overlap, "ms_allreduce"), 0, 1)),
        })
        {
            var compute = model == "w2" ? step - allReduce : step;
            var bandwidth = weights * sizeof(float) / (allReduce / 1e3);
            foreach (var n in new[] { 8, 16, 32 })
            {
                var ring = 2.0 * (n - 1) / n * weights * sizeof(float) / bandwidth * 1e3;
                var projected = compute + (unhidden * ring);
                yield return new Figure("W10", [
                    new("op", "projection"), new("model", model), new("transport", model == "w2" ? "shm" : "tcp"), new("ranks", n),
                    new("ms_allreduce", ring), new("ms_per_step", projected), new("samples_per_s", n * perRank / (projected / 1e3)), new("efficiency", compute / projected)]);
            }
        }
    }

    /// <summary>W2 over the ranks of <paramref name="comm"/>, one thread each: epochs 2 and 3 timed, the global batch 128 split among them.</summary>
    private static Figure Scaling(ICommunicator comm, string mnistDirectory)
    {
        Threads.Count = 1;
        var (train, test) = Mnist.LoadTrainAndTest(mnistDirectory);
        var g = new Generator(0);
        var model = Workloads.Mlp([784, 256, 128, 10], g);
        var spareCore = Communicator.HasSpareCore(comm.LocalSize());
        using var ddp = comm.Size > 1 ? new DistributedDataParallel(model, comm, overlap: spareCore) : null;
        Module<Tensor, Tensor> network = ddp is null ? model : ddp;
        var optimizer = new SGD(model.Parameters(), 0.05f, momentum: 0.9f);
        var loss = new CrossEntropyLoss();
        var loader = comm.Size > 1
            ? new DataLoader(train, 128 / comm.Size, generator: g, prefetch: spareCore, sampler: new DistributedSampler(train.Count, comm, generator: g))
            : new DataLoader(train, 128, shuffle: true, generator: g);
        var times = new List<double>();
        for (var epoch = 0; epoch < 3; epoch++)
        {
            comm.Barrier();
            var watch = Stopwatch.StartNew();
            foreach (var batch in loader)
            {
                Workloads.TrainStep(network, batch, loss, optimizer);
            }

            comm.Barrier();
            times.Add(watch.Elapsed.TotalSeconds);
        }

        double accuracy;
        using (Tensor.NoGrad())
        {
            var predictions = model.Eval().Forward(test.Inputs).Argmax(1).ToArray<long>();
            var labels = test.Targets.ToArray<long>();
            accuracy = predictions.Where((p, i) => p == labels[i]).Count() / (double)test.Count;
        }

        var epochSeconds = (times[1] + times[2]) / 2;
        var ms = epochSeconds * 1e3 / loader.BatchCount;
        return new Figure("W10", [
            new("ranks", comm.Size), new("threads", 1), new("samples_per_s", train.Count / epochSeconds), new("s_per_epoch", epochSeconds), new("test_acc", accuracy),
            new("ms_per_step", ms), new("ms_allreduce", AllReduceMilliseconds(comm, W2Weights))]);
    }

    /// <summary>W3's model on the ranks of <paramref name="comm"/>: a step alone, with DistributedDataParallel, and the all-reduce of its gradient alone.</summary>
    private static Figure Overlap(ICommunicator comm, string mnistDirectory)
    {
        Threads.Count = 1;
        var per = W3Batch / comm.Size;
        var data = Mnist.Load(mnistDirectory, train: true).Take(W3Batch);
        var (x, y) = (data.Inputs.Narrow(0, comm.Rank * per, per), data.Targets.Narrow(0, comm.Rank * per, per));
        var loss = new CrossEntropyLoss();

        // Four copies of the model, stepped in turn so that the machine's noise falls on all alike: alone, and with
        // DistributedDataParallel overlapping 25 MB buckets, overlapping 4 MB buckets, and sending after backward.
        var models = Enumerable.Range(0, 4).Select(_ => Workloads.Mlp([784, 2048, 2048, 10], new Generator(0))).ToArray();
        using var overlapped = new DistributedDataParallel(models[1], comm);
        using var small = new DistributedDataParallel(models[2], comm, bucketCapMb: 4);
        using var after = new DistributedDataParallel(models[3], comm, overlap: false);
        Module<Tensor, Tensor>[] networks = [models[0], overlapped, small, after];
        var optimizers = models.Select(m => new SGD(m.Parameters(), 0.01f, momentum: 0.9f)).ToArray();
        var times = networks.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < W3Steps + 2; round++)
        {
            for (var v = 0; v < networks.Length; v++)
            {
                comm.Barrier();
                var watch = Stopwatch.StartNew();
                using (var scope = Tensor.NewScope())
                {
                    var l = loss.Forward(networks[v].Forward(x), y);
                    optimizers[v].ZeroGrad();
                    l.Backward();
                    optimizers[v].Step();
                }

                times[v].Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        var (msLocal, msDdp, msSmall, msAfter) = (Median(times[0]), Median(times[1]), Median(times[2]), Median(times[3]));
        var (buckets, smallBuckets) = (overlapped.BucketCount, small.BucketCount);
        var msAllReduce = AllReduceMilliseconds(comm, W3Weights);
        return new Figure("W10", [
            new("op", "overlap"), new("model", "w3"), new("transport", "tcp"), new("ranks", comm.Size), new("ms_local", msLocal), new("ms_ddp", msDdp), new("buckets", buckets),
            new("ms_ddp_4mb", msSmall), new("buckets_4mb", smallBuckets), new("ms_ddp_no_overlap", msAfter), new("ms_allreduce", msAllReduce),
            new("unhidden_fraction", (msDdp - msLocal) / msDdp), new("unhidden_fraction_4mb", (msSmall - msLocal) / msSmall),
            new("unhidden_fraction_no_overlap", (msAfter - msLocal) / msAfter)]);
    }

    /// <summary>The median of the timings after the two warm-up rounds.</summary>
    private static double Median(List<double> times) => Workloads.Median(times.Skip(2));

    /// <summary>The median time of an all-reduce of <paramref name="count"/> floats (0 on one rank).</summary>
    private static double AllReduceMilliseconds(ICommunicator comm, long count)
    {
        var values = new float[count];
        var times = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            comm.Barrier();
            var watch = Stopwatch.StartNew();
            comm.AllReduce<float>(values, ReduceOp.Sum);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return comm.Size == 1 ? 0.0 : Workloads.Median(times.Skip(2));
    }

    /// <summary>A rank of an mpiexec run: its figures come back to the driver as rank 0's JSON lines.</summary>
    private static Figure[] Worker(Func<ICommunicator, Figure[]> part)
    {
        using var comm = Communicator.Mpi();
        var figures = part(comm);
        return comm.Rank == 0 ? figures : [];
    }

    /// <summary>The environment that makes MPICH talk over TCP on the loopback device (Open MPI ignores it and uses its own).</summary>
    private static Dictionary<string, string> TcpLoopback => new()
    {
        ["MPIR_CVAR_NOLOCAL"] = "1",
        ["UCX_TLS"] = "tcp",
        ["UCX_NET_DEVICES"] = "lo",
        ["OMPI_MCA_btl"] = "tcp,self",
        ["OMPI_MCA_btl_tcp_if_include"] = "lo",
    };

    /// <summary>Runs `bench w10` on <see cref="Ranks"/> ranks under mpiexec and reads back rank 0's figures.</summary>
    private static List<Figure> Launch(string part, string mnistDirectory, Dictionary<string, string> environment)
    {
        var mpiexec = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Select(d => Path.Combine(d, "mpiexec")).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("bench w10 runs W2 on 2 MPI ranks, but there is no mpiexec on PATH; install MPICH ('apt-get install mpich').");
        var info = new ProcessStartInfo(mpiexec) { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-n");
        info.ArgumentList.Add(Ranks.ToString(CultureInfo.InvariantCulture));
        var self = Environment.ProcessPath!;
        info.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, Assembly.GetEntryAssembly()!.GetName().Name + ".dll"));
        }

        foreach (var a in (string[])["bench", "w10", "--threads", "1", "--data", mnistDirectory])
        {
            info.ArgumentList.Add(a);
        }

        info.Environment[PartVariable] = part;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var lines = process.StandardOutput.ReadToEnd().Split('\n');
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"bench w10: mpiexec -n {Ranks} (part {part}) failed with exit code {process.ExitCode}:\n{string.Join('\n', lines.TakeLast(20))}");
        }

        return [.. lines.Where(l => l.StartsWith("{\"fw\"", StringComparison.Ordinal)).Select(Parse)];
    }

    private static Figure Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var fields = document.RootElement.EnumerateObject().Where(p => p.Name is not ("fw" or "wl" or "path"))
            .Select(p => new Field(p.Name, p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : p.Value.GetString()!)).ToList();
        return new Figure(document.RootElement.GetProperty("wl").GetString()!, fields);
    }

    private static double Value(Figure figure, string key) => Convert.ToDouble(figure.Fields.First(f => f.Key == key).Value, CultureInfo.InvariantCulture);
}
