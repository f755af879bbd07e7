// Turn benchmark peer: the Bot Framework SDK for JavaScript (botbuilder +
// botbuilder-dialogs 4.23.3) running the same form as Parley's
// flow.BenchmarkTurn: a text prompt for an order number with a validator
// (must start with "A-"), a reply "Got A-1001.", then the prompt again;
// conversation state (dialog stack plus the last 20 messages, like
// Parley's history window) saved in MemoryStorage after every turn; replies
// go to an adapter that discards them, as the Go benchmark's ReplyWriter
// does. Each worker process drives one conversation, turn after turn, as
// each goroutine of the Go benchmark does; 2 workers use 2 cores.
//
//   npm install --ignore-scripts
//   node turnbench.js [workers] [seconds] [runs]
//   BENCH_MODE=core node turnbench.js ...   (no botbuilder-dialogs: see makeCoreBot)
//   BENCH_INPROC=1 node turnbench.js        (one conversation in this process)
'use strict';
const { BotAdapter, ConversationState, MemoryStorage, TurnContext, ActivityTypes } = require('botbuilder');
const { DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog } = require('botbuilder-dialogs');
const cluster = require('node:cluster');

class DiscardAdapter extends BotAdapter {
  async sendActivities(context, activities) { return activities.map((_, i) => ({ id: String(i) })); }
  async updateActivity() {}
  async deleteActivity() {}
  async continueConversation() {}
}

// makeCoreBot is the same form without botbuilder-dialogs: the ask, its
// validation and the reply written by hand over ConversationState, as a
// small bot on botbuilder's core would do it.
function makeCoreBot() {
  const storage = new MemoryStorage();
  const convState = new ConversationState(storage);
  const form = convState.createProperty('form');
  const history = convState.createProperty('history');
  const adapter = new DiscardAdapter();
  adapter.use(historyMiddleware(history));
  async function logic(context) {
    const st = await form.get(context, { node: 'start', slots: {} });
    if (st.node === 'order') {
      const v = (context.activity.text || '').trim();
      if (!v.startsWith('A-')) {
        await context.sendActivity('Order numbers start with A-.');
      } else {
        st.slots.order = v;
        await context.sendActivity(`Got ${v}.`);
        await context.sendActivity('Order number?');
      }
    } else {
      st.node = 'order';
      await context.sendActivity('Order number?');
    }
    await convState.saveChanges(context, false);
  }
  return { adapter, logic };
}

// historyMiddleware keeps the last 20 messages, in and out, in the
// conversation state.
function historyMiddleware(history) {
  return async (context, next) => {
    const h = await history.get(context, []);
    const push = (role, text) => { h.push({ role, text, time: new Date().toISOString() }); if (h.length > 20) h.shift(); };
    push('user', context.activity.text);
    context.onSendActivities(async (ctx, activities, nextSend) => {
      for (const a of activities) push('bot', a.text);
      return nextSend();
    });
    await next();
  };
}

function makeBot() {
  if (process.env.BENCH_MODE === 'core') return makeCoreBot();
  const storage = new MemoryStorage();
  const convState = new ConversationState(storage);
  const dialogState = convState.createProperty('dialogState');
  const history = convState.createProperty('history');
  const dialogs = new DialogSet(dialogState);
  dialogs.add(new TextPrompt('order', async (pc) => {
    const v = pc.recognized.value || '';
    if (!v.startsWith('A-')) {
      await pc.context.sendActivity('Order numbers start with A-.');
      return false;
    }
    return true;
  }));
  dialogs.add(new WaterfallDialog('form', [
    async (step) => step.prompt('order', { prompt: 'Order number?' }),
    async (step) => {
      await step.context.sendActivity(`Got ${step.result}.`);
      return step.replaceDialog('form');
    },
  ]));
  const adapter = new DiscardAdapter();
  adapter.use(historyMiddleware(history));
  async function logic(context) {
    const dc = await dialogs.createContext(context);
    const r = await dc.continueDialog();
    if (r.status === DialogTurnStatus.empty) await dc.beginDialog('form');
    await convState.saveChanges(context, false);
  }
  return { adapter, logic };
}

async function worker(conv, seconds) {
  const { adapter, logic } = makeBot();
  let n = 0;
  const turn = async (text) => {
    n++;
    const activity = {
      type: ActivityTypes.Message, id: String(n), text, channelId: 'bench',
      conversation: { id: conv }, from: { id: 'user-' + conv }, recipient: { id: 'bot' }, serviceUrl: 'http://localhost',
    };
    await adapter.runMiddleware(new TurnContext(adapter, activity), logic);
  };
  await turn('hi'); // opens the prompt
  for (let i = 0; i < 2000; i++) await turn('A-1001'); // warm up the JIT
  const lat = [];
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let t0 = process.hrtime.bigint();
  const start = t0;
  while (t0 < end) {
    await turn('A-1001');
    const t1 = process.hrtime.bigint();
    lat.push(Number(t1 - t0));
    t0 = t1;
  }
  return { lat, ns: Number(t0 - start) };
}

function quantile(sorted, q) { return sorted[Math.floor((sorted.length - 1) * q)]; }

async function main() {
  const workers = Number(process.argv[2] || 1), seconds = Number(process.argv[3] || 3), runs = Number(process.argv[4] || 1);
  for (let r = 0; r < runs; r++) {
    const results = await Promise.all(Array.from({ length: workers }, (_, i) => new Promise((resolve, reject) => {
      const w = cluster.fork({ BENCH_CONV: 'c' + i, BENCH_SECONDS: String(seconds) });
      w.on('message', resolve);
      w.on('error', reject);
    })));
    const all = results.flatMap((x) => x.lat).sort((a, b) => a - b);
    const turnsPerSec = results.reduce((s, x) => s + x.lat.length / (x.ns / 1e9), 0);
    console.log(`JSTurn-${process.env.BENCH_MODE || 'dialogs'}-${workers}\t${all.length} turns\t${Math.round(turnsPerSec)} turns/s\tp50 ${(quantile(all, 0.5) / 1e3).toFixed(1)} µs\tp99 ${(quantile(all, 0.99) / 1e3).toFixed(1)} µs`);
  }
}

if (process.env.BENCH_INPROC) {
  worker('c0', Number(process.env.BENCH_SECONDS || 2)).then((res) => {
    const all = res.lat.sort((a, b) => a - b);
    console.log(`in-process\t${all.length} turns\tp50 ${(quantile(all, 0.5) / 1e3).toFixed(1)} µs\tp99 ${(quantile(all, 0.99) / 1e3).toFixed(1)} µs`);
  });
} else if (cluster.isPrimary) {
  main().catch((e) => { console.error(e); process.exit(1); });
} else {
  worker(process.env.BENCH_CONV, Number(process.env.BENCH_SECONDS)).then((res) => { process.send(res, () => process.exit(0)); });
}
